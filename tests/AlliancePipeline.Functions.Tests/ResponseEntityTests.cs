using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Scoring;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The dynamic <c>Responses</c> row: its properties are what the SDK writes (Item01..ItemNN as Int32, one Double per score
/// column), and what it reads back gives the same answers and scores; a queued submission carries 1 to 99 answers.
/// </summary>
public sealed class ResponseEntityTests
{
    private static IDictionary<string, object> Properties(ResponseEntity e) => e;

    [Fact]
    public void A_five_item_response_has_five_item_columns_and_its_instrument_s_score_columns()
    {
        var e = new ResponseEntity
        {
            PartitionKey = "study",
            RowKey = "d-1-m1-practitioner",
            Items = [5, 4, 2, 4, 4],
            Scores = new Dictionary<string, double> { ["Agreement"] = 13.0 / 3, ["Trust"] = 4, ["Total"] = 4.2 },
            Meeting = 1,
            RaterRole = "practitioner",
            SiteId = "site-a",
            DyadId = "d-1",
            SubmittedAt = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc),
        };
        var p = Properties(e);
        Assert.Equal(["Agreement", "DyadId", "Item01", "Item02", "Item03", "Item04", "Item05", "Meeting", "PartitionKey", "RaterRole", "RowKey", "SiteId", "SubmittedAt", "Total", "Trust"],
            p.Keys.Order(StringComparer.Ordinal));
        Assert.IsType<int>(p["Item03"]);
        Assert.IsType<double>(p["Trust"]);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), p["SubmittedAt"]);

        // Fewer answers replace the columns; new scores replace the old ones and leave the rest alone.
        e.Items = [1, 2];
        e.Scores = new Dictionary<string, double> { ["Total"] = 1.5 };
        Assert.Equal([1, 2], e.Items);
        Assert.Equal(new Dictionary<string, double> { ["Total"] = 1.5 }, e.Scores);
        Assert.Equal((1.5, (double?)null), (e.Score("Total")!.Value, e.Score("Trust")));
        Assert.Equal((1, "practitioner", "d-1"), (e.Meeting, e.RaterRole, e.DyadId));
    }

    [Fact]
    public void What_the_table_service_gives_back_reads_as_the_same_answers_and_scores()
    {
        // As the SDK fills a row it read: every property through the dictionary, an integral Double possibly as Int32.
        var read = new ResponseEntity();
        var p = Properties(read);
        foreach (var (key, value) in new TableEntity("study", "d-1-m2-client")
        {
            ["Item01"] = 3,
            ["Item02"] = 4,
            ["Item03"] = 5,
            ["Goal"] = 4,
            ["Task"] = 4.5,
            ["Bond"] = 3.25,
            ["Global"] = 4.0,
            ["Meeting"] = 2,
            ["RaterRole"] = "client",
            ["SiteId"] = "site-b",
            ["DyadId"] = "d-1",
            ["SubmittedAt"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ["Timestamp"] = DateTimeOffset.UtcNow,
            ["odata.etag"] = "W/\"x\"",
        })
            p[key] = value;
        Assert.Equal(("study", "d-1-m2-client"), (read.PartitionKey, read.RowKey));
        Assert.Equal("rater-link", read.Provenance); // a row stored before the column existed
        Assert.Equal([3, 4, 5], read.Items);
        Assert.Equal(new Dictionary<string, double> { ["Goal"] = 4, ["Task"] = 4.5, ["Bond"] = 3.25, ["Global"] = 4 }, read.Scores);
        Assert.Equal((2, "client", "site-b", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)), (read.Meeting, read.RaterRole, read.SiteId, read.SubmittedAt));
    }

    [Theory]
    [InlineData("Meeting")]
    [InlineData("Item05")]
    [InlineData("RowKey")]
    public void A_score_may_not_take_another_column_s_name(string column) =>
        Assert.Throws<ArgumentException>(() => new ResponseEntity { Scores = new Dictionary<string, double> { [column] = 1 } });

    [Theory]
    [InlineData(0, "items has 0 answers, expected 1 to 99 (one per item of the instrument)")]
    [InlineData(100, "items has 100 answers, expected 1 to 99 (one per item of the instrument)")]
    [InlineData(5, null)]
    [InlineData(99, null)]
    public void A_submission_carries_one_to_ninety_nine_answers(int count, string? reason)
    {
        var text = new SubmissionMessage { StudyId = "s", AssessmentId = "a", LinkVersion = 1, Items = [.. Enumerable.Repeat(1, count)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
        var parsed = SubmissionMessage.TryParse(text, out var why);
        Assert.Equal(reason, why);
        Assert.Equal(reason is null ? count : null, parsed?.Items.Length);
    }
}
