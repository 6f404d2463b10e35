using System.Text;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Mail;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary>
/// <see cref="DigestMails"/>: a site's weekly digest always fits a queue message. At 2,000 dyads a site's digest of 100
/// lines came to 49,808 bytes as a queue message (over the 49,152 one carries), and every Reminders run owing it failed.
/// </summary>
public sealed class DigestMailsTests
{
    private static readonly Uri Dashboard = new("https://alliance.example.org/api/studies/scale-study/dashboard");
    private static readonly IsoWeek Week = new(2026, 50);

    private static (CoordinatorDigest Digest, DigestModel Model) Digest(int overdue, Func<int, string> dyad, string siteName, string language)
    {
        var digest = new CoordinatorDigest("scale-study", "site-01", new StudyContact("coordinator@example.org", language), Week, []);
        var lines = Enumerable.Range(1, overdue).Select(i => new DigestLine(dyad(i), 1 + (i % 4), i % 2 == 0 ? RaterRoles.Client : RaterRoles.Practitioner, 3 + (i % 200), i % 4, i % 17 == 0)).ToList();
        return (digest, new DigestModel("Étude d’échelle <nationale> & \"alliance\"", siteName, Week, lines, Dashboard));
    }

    private static string More(int count, string language) => language == "fr" ? $"… et {count} de plus." : $"… and {count} more.";

    private static int Bytes(OutboxMail mail) => Encoding.UTF8.GetByteCount(OutboxMessage.From(mail, DateTimeOffset.UnixEpoch).ToJson());

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    public void A_site_s_digest_of_the_scale_benchmark_lists_all_hundred_lines_and_fits_a_queue_message(string language)
    {
        // The benchmark's site-01 at 2,000 dyads: ids d-0001.., more than 100 overdue.
        var (digest, model) = Digest(640, i => $"d-{i:0000}", "Site 01", language);
        var mail = DigestMails.Fitting(MailTemplates.Shared, digest, model);
        Assert.Null(OutboxMessage.Problem(mail));
        Assert.True(Bytes(mail) <= OutboxMessage.MaxTextBytes, $"{Bytes(mail)} bytes");
        Assert.Contains("d-0100", mail.Content.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("d-0101", mail.Content.Text, StringComparison.Ordinal);
        Assert.Contains(More(540, language), mail.Content.Text, StringComparison.Ordinal);
        Assert.Contains(More(540, language), mail.Content.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", 2_000)]
    [InlineData("fr", 2_000)]
    [InlineData("en", 150)]
    [InlineData("fr", 20_000)]
    public void A_digest_too_long_for_a_queue_message_lists_fewer_lines_counts_the_rest_and_still_fits(string language, int overdue)
    {
        // The longest ids a dyad can have (a 63-character assessment id) and a site named at length (the study file does
        // not bound names), with characters JSON and HTML escape: 100 lines would not fit.
        var longSite = string.Concat(Enumerable.Repeat("Centre régional « Nord » <main> & annexe ", 50)).Trim();
        var (digest, model) = Digest(overdue, i => $"dyad-{i:000000}-{new string('x', 36)}", longSite, language);
        var mail = DigestMails.Fitting(MailTemplates.Shared, digest, model);
        Assert.Null(OutboxMessage.Problem(mail));

        var listed = Enumerable.Range(1, overdue).Count(i => mail.Content.Text.Contains($"dyad-{i:000000}-", StringComparison.Ordinal));
        Assert.InRange(listed, 1, MailTemplates.MaxDigestLines - 1);
        Assert.Equal(Enumerable.Range(1, listed), Enumerable.Range(1, overdue).Where(i => mail.Content.Text.Contains($"dyad-{i:000000}-", StringComparison.Ordinal)));
        Assert.Contains(More(overdue - listed, language), mail.Content.Text, StringComparison.Ordinal);
        Assert.Contains(Dashboard.AbsoluteUri, mail.Content.Text, StringComparison.Ordinal);
        Assert.Contains(Dashboard.AbsoluteUri, mail.Content.Html, StringComparison.Ordinal);

        // As many as fit: twice as many would not have.
        var twice = new OutboxMail(mail.MailId, mail.StudyId, mail.Kind, mail.To, mail.Language, MailTemplates.Shared.Digest(model with { Listed = listed * 2 }, language));
        Assert.False(OutboxMessage.Fits(twice), $"{listed * 2} lines would have fitted ({Bytes(twice)} bytes)");

        // The queue text reads back as the same mail.
        var parsed = OutboxMessage.TryParse(OutboxMessage.From(mail, new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)).ToJson(), out var reason);
        Assert.Null(reason);
        Assert.Equal(mail.Content, parsed!.ToMail().Content);
    }

    [Fact]
    public void A_short_digest_lists_every_line_and_counts_none()
    {
        var (digest, model) = Digest(30, i => $"d-{i:000}", "North site", "en");
        var mail = DigestMails.Fitting(MailTemplates.Shared, digest, model);
        Assert.All(Enumerable.Range(1, 30), i => Assert.Contains($"d-{i:000},", mail.Content.Text, StringComparison.Ordinal));
        Assert.DoesNotContain("more.", mail.Content.Text, StringComparison.Ordinal);
    }
}
