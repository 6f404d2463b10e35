using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Mail;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary><see cref="MailTemplates"/>: every kind in English and French, both parts, escaping, fallbacks.</summary>
public sealed class MailTemplatesTests
{
    private static readonly Uri Link = new("https://alliance.example.org/api/q/TOKEN");
    private static readonly Uri Pause = new("https://alliance.example.org/api/reminders/pause/PAUSE");
    private static readonly Uri Dashboard = new("https://alliance.example.org/api/studies/s/dashboard");
    private static readonly DateOnly Due = new(2026, 3, 1);

    public static TheoryData<string, string> KindsAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { MailKinds.Invitation, MailKinds.Reminder, MailKinds.Digest, MailKinds.Alert, MailKinds.Report })
            foreach (var language in MailTemplates.Languages)
                data.Add(kind, language);
        return data;
    }

    /// <summary>Renders <paramref name="kind"/> with <paramref name="studyName"/> and <paramref name="siteName"/> where the kind shows them.</summary>
    public static MailContent Render(string kind, string? language, string studyName = "Alliance study", string siteName = "North site") => kind switch
    {
        MailKinds.Invitation => MailTemplates.Shared.Invitation(new InvitationModel(studyName, "d-007", 2, Due, Link, Pause), language),
        MailKinds.Reminder => MailTemplates.Shared.Reminder(new ReminderModel(studyName, "d-007", 2, Due, Link, Pause, 2, 3), language),
        MailKinds.Digest => MailTemplates.Shared.Digest(new DigestModel(studyName, siteName, new IsoWeek(2026, 10),
            [new DigestLine("d-007", 2, RaterRoles.Practitioner, 1, 0), new DigestLine("d-009", 1, RaterRoles.Client, 12, 2)], Dashboard), language),
        MailKinds.Alert => MailTemplates.Shared.Alert(new AlertModel(studyName, siteName, "d-007", 3, RaterRoles.Client,
            new AlertThresholds(1.0, 5.0, false).Evaluate(6.17, 4.92)!, Dashboard), language),
        MailKinds.Report => MailTemplates.Shared.Report(new ReportModel(studyName, "20260301T020000Z-ab12cd34", new Uri("https://alliance.example.org/r"), "report.html"), language),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void Each_kind_has_a_subject_a_plain_text_part_and_an_HTML_part_in_the_language(string kind, string language)
    {
        var content = Render(kind, language);
        Assert.False(string.IsNullOrWhiteSpace(content.Subject));
        Assert.DoesNotContain('\n', content.Subject);
        Assert.Contains("Alliance study", content.Subject, StringComparison.Ordinal);

        Assert.StartsWith(language == "fr" ? "Bonjour," : "Hello,", content.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<p>", content.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", content.Text + content.Html + content.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", content.Text, StringComparison.Ordinal);
        Assert.EndsWith(language == "fr" ? "merci de ne pas y répondre.\n" : "please do not reply to it.\n", content.Text, StringComparison.Ordinal);

        Assert.StartsWith("<!doctype html>", content.Html, StringComparison.Ordinal);
        Assert.Contains($"<html lang=\"{language}\">", content.Html, StringComparison.Ordinal);
        Assert.Contains(language == "fr" ? "<p>Bonjour,</p>" : "<p>Hello,</p>", content.Html, StringComparison.Ordinal);
        Assert.Contains("Alliance study", content.Html, StringComparison.Ordinal);
        // The other language's greeting is nowhere.
        Assert.DoesNotContain(language == "fr" ? "Hello" : "Bonjour", content.Text + content.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Invitations_and_reminders_carry_the_questionnaire_link_the_pause_link_the_meeting_and_the_due_date()
    {
        var en = Render(MailKinds.Invitation, "en");
        Assert.Equal("Alliance study: questionnaire after meeting 2 (d-007)", en.Subject);
        Assert.Contains($"Open the questionnaire:\n{Link.AbsoluteUri}\n", en.Text, StringComparison.Ordinal);
        Assert.Contains($"you can pause them:\n{Pause.AbsoluteUri}\n", en.Text, StringComparison.Ordinal);
        Assert.Contains("Please answer by 1 March 2026.", en.Text, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Link.AbsoluteUri}\"", en.Html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Pause.AbsoluteUri}\">pause them</a>", en.Html, StringComparison.Ordinal);

        var fr = Render(MailKinds.Reminder, "fr");
        Assert.Equal("Rappel 2 sur 3 : questionnaire Alliance study après la rencontre 2 (d-007)", fr.Subject);
        Assert.Contains("était attendu le 1er mars 2026", fr.Text, StringComparison.Ordinal);
        Assert.Contains(Pause.AbsoluteUri, fr.Text, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{Pause.AbsoluteUri}\">les suspendre</a>", fr.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_digest_lists_dyad_meeting_role_days_overdue_and_reminders_and_the_alert_its_numbers_in_the_languages_way()
    {
        var digest = Render(MailKinds.Digest, "en");
        Assert.Contains("2 questionnaires are overdue at North site (Alliance study) in the week of 2 March 2026 (2026-W10), oldest first:", digest.Text, StringComparison.Ordinal);
        Assert.Contains("- d-007, meeting 2, practitioner: 1 day overdue, 0 reminders sent\n- d-009, meeting 1, client: 12 days overdue, 2 reminders sent\n", digest.Text, StringComparison.Ordinal);
        Assert.Contains("<td style=\"padding:4px\">d-009</td>", digest.Html, StringComparison.Ordinal);
        var french = Render(MailKinds.Digest, "fr");
        Assert.Contains("- d-007, rencontre 2, intervenant : 1 jour de retard, 0 rappel envoyé\n- d-009, rencontre 1, client : 12 jours de retard, 2 rappels envoyés\n", french.Text, StringComparison.Ordinal);

        var alert = Render(MailKinds.Alert, "en");
        Assert.Contains("as rated by the client", alert.Text, StringComparison.Ordinal);
        Assert.Contains("fell from 6.17 to 4.92: a drop of 1.25, more than the threshold of 1.00.", alert.Text, StringComparison.Ordinal);
        Assert.Contains("The global score 4.92 is below the cutoff of 5.00.", alert.Text, StringComparison.Ordinal);
        Assert.Contains(Dashboard.AbsoluteUri, alert.Text, StringComparison.Ordinal);
        var alerte = Render(MailKinds.Alert, "fr");
        Assert.Contains("selon le client", alerte.Text, StringComparison.Ordinal);
        Assert.Contains("passé de 6,17 à 4,92 : une baisse de 1,25, supérieure au seuil de 1,00.", alerte.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_languages_fall_back_to_English_and_regional_French_gets_French()
    {
        Assert.Equal("en", MailTemplates.LanguageFor("de"));
        Assert.Equal("en", MailTemplates.LanguageFor(null));
        Assert.Equal("fr", MailTemplates.LanguageFor("fr-CA"));
        Assert.Equal(Render(MailKinds.Invitation, "en"), Render(MailKinds.Invitation, "de"));
        Assert.Contains("<html lang=\"fr\">", Render(MailKinds.Invitation, "fr-CA").Html, StringComparison.Ordinal);
    }

    [Fact]
    public void What_a_study_controls_is_escaped_in_the_HTML_part_and_kept_as_written_in_the_text_part()
    {
        const string evil = "<script>alert(\"x\")</script> & <b onmouseover='y'>";
        foreach (var kind in new[] { MailKinds.Invitation, MailKinds.Reminder, MailKinds.Digest, MailKinds.Alert, MailKinds.Report })
        {
            var content = Render(kind, "en", evil, evil);
            Assert.DoesNotContain("<script", content.Html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b onmouseover", content.Html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover=&#x27;y&#x27;&gt;", content.Html, StringComparison.Ordinal);
            Assert.Contains(evil, content.Text, StringComparison.Ordinal);
        }
        // A line break in a name cannot start a new header line.
        Assert.DoesNotContain('\n', Render(MailKinds.Invitation, "en", "Study\r\nBcc: someone@example.org").Subject);
    }

    [Fact]
    public void A_long_digest_lists_the_first_hundred_and_counts_the_rest_and_an_empty_one_says_nothing_is_overdue()
    {
        var lines = Enumerable.Range(1, 130).Select(i => new DigestLine($"d-{i:000}", 1, RaterRoles.Practitioner, i, 0)).ToList();
        var content = MailTemplates.Shared.Digest(new DigestModel("S", "Site", new IsoWeek(2026, 10), lines, null), "en");
        Assert.Contains("130 questionnaires are overdue", content.Text, StringComparison.Ordinal);
        Assert.Contains("d-100,", content.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("d-101", content.Text, StringComparison.Ordinal);
        Assert.Contains("… and 30 more.", content.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("dashboard", content.Text, StringComparison.Ordinal);

        var empty = MailTemplates.Shared.Digest(new DigestModel("S", "Site", new IsoWeek(2026, 10), [], null), "fr");
        Assert.Contains("Aucun questionnaire n’est en retard à Site (S) dans la semaine du 2 mars 2026 (2026-W10).", empty.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", empty.Html, StringComparison.Ordinal);
    }
}
