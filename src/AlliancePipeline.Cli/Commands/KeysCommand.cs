using System.CommandLine;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance keys bootstrap|issue|list|revoke</c>: access keys. <c>bootstrap</c> writes the first admin key straight into
/// the app's storage, for whoever holds its data rights (<c>--storage</c>, a connection string; or <c>--account</c>, in
/// Azure, as the signed-in identity with the account's Table data role); the others go through the app with an admin key. A key is printed once and stored only as a hash.
/// </summary>
public static class KeysCommand
{
    /// <summary>Days until a key the command line issues expires, unless <c>--days</c> says otherwise.</summary>
    public const int DefaultDays = 30;

    /// <summary>The most days a key may run (the app's limit).</summary>
    public const int MaxDays = 3650;

    /// <summary>Creates <c>keys</c>.</summary>
    public static Command Create()
    {
        var storage = new StorageOptions();
        var days = Days("Days until the key expires");
        var label = new Option<string>("--label") { Description = "What the key is for, in words (no personal data needed).", DefaultValueFactory = _ => "bootstrap admin" };
        var bootstrap = new Command("bootstrap", "Write a first admin key straight into the app's storage and print it once.") { days, label };
        storage.AddTo(bootstrap);
        bootstrap.SetAction(async (parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            try
            {
                var (tables, _) = storage.Clients(parse);
                await tables.CreateTableIfNotExistsAsync(StorageNames.AccessKeysTable, ct).ConfigureAwait(false);
                await tables.CreateTableIfNotExistsAsync(StorageNames.AuditTable, ct).ConfigureAwait(false);
                var issued = await AccessKeyWriter.IssueAsync(tables.GetTableClient(StorageNames.AccessKeysTable), tables.GetTableClient(StorageNames.AuditTable),
                    AccessScope.Admin, parse.GetValue(label)!, now.AddDays(parse.GetValue(days)), "cli", now, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync(issued.Key).ConfigureAwait(false);
                await parse.InvocationConfiguration.Error.WriteLineAsync($"Admin key {issued.Entity.RowKey} issued, expires {issued.Entity.ExpiresAt:yyyy-MM-dd}. It is shown once: keep it safe (ALLIANCE_KEY).").ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (StorageOptions.Describe(e) is { } problem)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance keys bootstrap: the key was not stored: {problem}.").ConfigureAwait(false);
                return 1;
            }
        });

        var options = new AppOptions();
        var role = new Option<string>("--role") { Description = "admin, study (a study's coordinator), site (one site's coordinator) or researcher.", Required = true };
        OptionValues.OneOf(role, "admin", "study", "site", "researcher");
        var study = new Option<string>("--study") { Description = "The study (all roles but admin)." };
        var site = new Option<string>("--site") { Description = "The site (site keys)." };
        var issueLabel = new Option<string>("--label") { Description = "What the key is for.", Required = true };
        var issueDays = Days("Days until it expires");
        var issue = options.AddTo(new Command("issue", "Issue a key through the app (admin key) and print it once.") { role, study, site, issueLabel, issueDays });
        issue.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "keys issue", options, async (api, output) =>
        {
            var answer = await api.SendJsonAsync(HttpMethod.Post, "api/keys", new
            {
                role = parse.GetValue(role),
                studyId = parse.GetValue(study),
                siteId = parse.GetValue(site),
                label = parse.GetValue(issueLabel),
                validDays = parse.GetValue(issueDays),
            }, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "keys issue", answer).ConfigureAwait(false);
            await output.WriteLineAsync(answer.Read<IssuedKeyAnswer>().Key).ConfigureAwait(false);
            return 0;
        }));
        var json = new Option<bool>("--json") { Description = "Print the app's JSON ({\"keys\": [{keyId, role, studyId, siteId, label, issuedAt, expiresAt, revokedAt, issuedBy, state}]}), for scripts." };
        var listStudy = new Option<string>("--study") { Description = "Only the keys of this study." };
        var list = options.AddTo(new Command("list", "List keys as a table (id, role, study, site, state, expiry, label; never secrets).") { listStudy, json });
        list.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "keys list", options, async (api, output) =>
        {
            var query = parse.GetValue(listStudy) is { } only ? "?studyId=" + Uri.EscapeDataString(only) : "";
            var answer = await api.SendAsync(HttpMethod.Get, "api/keys" + query, null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "keys list", answer).ConfigureAwait(false);
            await output.WriteAsync(parse.GetValue(json) ? answer.Body.TrimEnd() + "\n" : Table(answer.Read<KeyList>())).ConfigureAwait(false);
            return 0;
        }));
        var keyId = new Argument<string>("KEYID") { Description = "The key's id (the part after ak_)." };
        var revoke = options.AddTo(new Command("revoke", "Revoke a key: it stops working at once.") { keyId });
        revoke.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "keys revoke", options, async (api, output) =>
        {
            var answer = await api.SendAsync(HttpMethod.Delete, $"api/keys/{Uri.EscapeDataString(parse.GetRequiredValue(keyId))}", null, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "keys revoke", answer).ConfigureAwait(false);
            await output.WriteLineAsync($"Key {parse.GetValue(keyId)} revoked.").ConfigureAwait(false);
            return 0;
        }));
        return new Command("keys", "Access keys for the dashboards, reports and the admin API.") { bootstrap, issue, list, revoke };
    }

    /// <summary>The keys as a table, newest first as the app lists them; "No keys." when there are none.</summary>
    public static string Table(KeyList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Keys.Count == 0) return "No keys.\n";
        return TextTable.Format(["KEY ID", "ROLE", "STUDY", "SITE", "STATE", "EXPIRES", "LABEL"],
            list.Keys.Select(k => (IReadOnlyList<string>)[k.KeyId, k.Role, k.StudyId ?? "-", k.SiteId ?? "-", k.State,
                k.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), k.Label]));
    }

    private static Option<int> Days(string what) => new("--days")
    {
        Description = $"{what} (1 to {MaxDays}; default {DefaultDays}).",
        DefaultValueFactory = _ => DefaultDays,
        CustomParser = r => OptionValues.Whole(r, 1, MaxDays, $"give a whole number of days from 1 to {MaxDays} (default {DefaultDays}).") ?? DefaultDays,
    };
}
