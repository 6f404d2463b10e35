using System.Net;
using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// Issue 17, finding 2: after a study file moves a dyad to another rater or corrects a rater's address, the links mailed
/// before answer nothing. Property over a sequence of changes: whatever links were mailed, a link of a pending form works
/// only in the hands of the form's current rater at the current address, and that rater's latest link works.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RaterLinkTests(AzuriteFixture azurite)
{
    /// <summary>A link and its pause link as mailed: to whom (rater id and address) and which.</summary>
    private sealed record Mailed(string AssessmentId, string RaterId, string Email, string Token, string PauseToken);

    private static async Task ApplyAsync(TestApp app, string studyId, string text)
    {
        using var response = await app.AdminClient.PutAsync($"/api/manage/studies/{studyId}", new StringContent(text, Encoding.UTF8, "application/yaml"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<Dictionary<string, AssessmentEntity>> AssessmentsAsync(string studyId)
    {
        var rows = new Dictionary<string, AssessmentEntity>(StringComparer.Ordinal);
        await foreach (var a in azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId)) rows[a.RowKey] = a;
        return rows;
    }

    private async Task<Dictionary<string, string>> AddressesAsync(string studyId)
    {
        var emails = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var p in azurite.Tables.GetTableClient(StorageNames.ParticipantsTable).QueryAsync<ParticipantEntity>(e => e.PartitionKey == studyId))
        {
            if (p.Kind == ParticipantEntity.Kinds.Rater) emails[p.Id] = p.Email ?? "";
        }
        return emails;
    }

    [Fact]
    public async Task Only_the_current_rater_at_the_current_address_holds_a_working_link_of_a_pending_form_through_rater_moves_and_address_corrections()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("relink");
        var tokens = app.Services.GetRequiredService<ILinkTokens>();
        var pauses = app.Services.GetRequiredService<PauseLinks>();
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        var mailed = new List<Mailed>();
        var completed = new Dictionary<string, AssessmentEntity>(StringComparer.Ordinal);

        // A third practitioner at the north site, so that d-002 can move to her.
        var v1 = StudyFiles.Example(study).Replace("  - id: c-001\n", "  - id: p-003\n    role: practitioner\n    site: site-north\n    email: p-003@example.org\n    language: en\n  - id: c-001\n", StringComparison.Ordinal);
        var steps = new (string What, string Text, string? Answer)[]
        {
            ("enrolled", v1, "d-002-m1-practitioner"),
            ("d-002 moved from p-001 to p-003", v1.Replace("practitioner: p-001       # no client", "practitioner: p-003       # no client", StringComparison.Ordinal), null),
            ("c-003's address corrected", null!, "d-003-m1-client"),
            ("d-002 moved back to p-001", null!, null),
            ("p-001's address corrected", null!, "d-001-m2-practitioner"),
        };
        steps[2].Text = steps[1].Text.Replace("email: c-003@example.org", "email: c-003.corrected@example.org", StringComparison.Ordinal);
        steps[3].Text = steps[2].Text.Replace("practitioner: p-003       # no client", "practitioner: p-001       # no client", StringComparison.Ordinal);
        steps[4].Text = steps[3].Text.Replace("email: p-001@example.org", "email: p-001@example.net", StringComparison.Ordinal);

        var holders = new Dictionary<string, (string RaterId, string Email)>(StringComparer.Ordinal);
        foreach (var (what, text, answer) in steps)
        {
            // Every pending form was invited, and its rater paused its reminders (through the link in the mail).
            foreach (var id in holders.Keys)
            {
                await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(new TableEntity(study, id)
                {
                    [nameof(AssessmentEntity.InvitationQueuedAt)] = DateTimeOffset.UtcNow,
                    [nameof(AssessmentEntity.RemindersPaused)] = true,
                }, ETag.All, TableUpdateMode.Merge);
            }

            await ApplyAsync(app, study, text);
            var rows = await AssessmentsAsync(study);
            var emails = await AddressesAsync(study);

            // A form whose rater or address changed is invited again (the next Reminders run mails invitation-{id}-v{n}
            // to its rater as now named), and the old holder's pause no longer holds; the others keep their log.
            foreach (var (id, before) in holders)
            {
                var a = rows[id];
                var moved = before != (a.RaterId, emails[a.RaterId]);
                Assert.True((a.InvitationQueuedAt is null, !a.RemindersPaused) == (moved, moved), $"after '{what}': {id} {(moved ? "moved but kept" : "did not move but lost")} its invitation log");
            }
            holders = rows.Values.Where(a => a.Status == "Pending").ToDictionary(a => a.RowKey, a => (a.RaterId, emails[a.RaterId]), StringComparer.Ordinal);

            // Answered forms are never touched by a change.
            foreach (var (id, before) in completed)
                Assert.Equal((before.Status, before.RaterId, before.LinkVersion), (rows[id].Status, rows[id].RaterId, rows[id].LinkVersion));

            // Every link mailed so far, for every pending form: working only for its current rater at the current address.
            foreach (var m in mailed)
            {
                var a = rows[m.AssessmentId];
                if (a.Status != "Pending") continue;
                var works = await OpensAsync(app, $"/api/q/{m.Token}");
                Assert.Equal(works, await OpensAsync(app, $"/api/reminders/pause/{m.PauseToken}"));
                if (works)
                    Assert.True((m.RaterId, m.Email) == (a.RaterId, emails[a.RaterId]),
                        $"after '{what}': the link of {m.AssessmentId} mailed to {m.RaterId} <{m.Email}> still opens; the form is now {a.RaterId}'s <{emails[a.RaterId]}>");
            }

            // The Reminders run mails each pending form's current link to its current rater; that link works.
            foreach (var a in rows.Values.Where(a => a.Status == "Pending"))
            {
                var token = tokens.Issue(new LinkClaims(study, a.RowKey, a.LinkVersion, expires));
                var pause = pauses.Issue(study, a.RowKey, a.LinkVersion, expires);
                mailed.Add(new Mailed(a.RowKey, a.RaterId, emails[a.RaterId], token, pause));
                Assert.True(await OpensAsync(app, $"/api/q/{token}"), $"after '{what}': the current link of {a.RowKey} does not open");
                Assert.True(await OpensAsync(app, $"/api/reminders/pause/{pause}"), $"after '{what}': the current pause link of {a.RowKey} does not open");
            }

            if (answer is not null)
            {
                await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(new TableEntity(study, answer) { ["Status"] = "Completed" }, ETag.All, TableUpdateMode.Merge);
                completed[answer] = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, answer)).Value;
            }
        }
    }

    /// <summary>Whether a link opens (200) rather than being refused as replaced (410); GET changes nothing.</summary>
    private static async Task<bool> OpensAsync(TestApp app, string path)
    {
        using var response = await app.Client.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Gone, $"GET {path[..12]}… answered {(int)response.StatusCode}");
        return response.StatusCode == HttpStatusCode.OK;
    }
}
