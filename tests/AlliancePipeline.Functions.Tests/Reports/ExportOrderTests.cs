using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// <see cref="ExportOrder"/>: rows read in table (ordinal <c>RowKey</c>) order come out in the export's order, the whole
/// list sorted (<see cref="ResponseRowLookups.Order"/>) being the reference, for ids whose table order is not the export's;
/// with the usual ids a dyad's rows go out before the next dyad's are read (only one dyad held); rows of dyads the count
/// did not see are left out; keys not in ascending order are sorted whole.
/// </summary>
public sealed class ExportOrderTests
{
    private static ResponseRow Row(string dyad, int meeting, string role, string? key = null, int minute = 0) => new(
        new StoredResponse("s", key ?? EnrolmentPlan.AssessmentId(dyad, meeting, role), "site", dyad, meeting, role, [4], new Dictionary<string, double>(), 4,
            new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero)),
        null);

    /// <summary>The rows as the table holds them: by key, ordinal.</summary>
    private static List<(string Key, ResponseRow Row)> Table(IEnumerable<ResponseRow> rows) =>
        [.. rows.Select(r => (r.Response.AssessmentId, r)).OrderBy(p => p.AssessmentId, StringComparer.Ordinal)];

    private static Dictionary<string, string> LastKeys(IEnumerable<(string Key, ResponseRow Row)> table) =>
        table.GroupBy(p => p.Row.Response.DyadId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Key, StringComparer.Ordinal);

    private static async Task<List<string>> IdsAsync(IAsyncEnumerable<ResponseRow> rows)
    {
        var ids = new List<string>();
        await foreach (var r in rows) ids.Add(r.Response.AssessmentId);
        return ids;
    }

    public static TheoryData<string> Awkward => ["meetings of 10 and more", "an id another's followed by -m", "an id another's followed by -m-", "a key out of pattern"];

    private static ResponseRow[] Rows(string awkward) => awkward switch
    {
        "meetings of 10 and more" => [.. Enumerable.Range(1, 12).SelectMany(m => new[] { Row("d-1", m, "client"), Row("d-1", m, "practitioner") }), Row("d-2", 10, "client"), Row("d-2", 9, "client")],
        "an id another's followed by -m" => [Row("a", 1, "client"), Row("a", 2, "client"), Row("a", 10, "client"), Row("a-m1x", 1, "client"), Row("a-m1x", 12, "client"), Row("a-m2", 1, "practitioner"), Row("b", 1, "client")],
        "an id another's followed by -m-" => [Row("a", 1, "client"), Row("a", 3, "client"), Row("a-m", 1, "client"), Row("a-m", 2, "client"), Row("a-m-m", 1, "client"), Row("0", 1, "client")],
        _ => [Row("a", 1, "client"), Row("a", 2, "client"), Row("b", 1, "client"), Row("a", 3, "client", key: "zz-a-3"), Row("0", 1, "client", key: "zz-0-1")],
    };

    [Theory]
    [MemberData(nameof(Awkward))]
    public async Task Rows_read_in_table_order_come_out_as_the_whole_list_sorted(string awkward)
    {
        var rows = Rows(awkward);
        var table = Table(rows);
        var sorted = ResponseRowLookups.Order(table.Select(p => p.Row)).Select(r => r.Response.AssessmentId).ToList();
        Assert.NotEqual(table.Select(p => p.Key), sorted);

        Assert.Equal(sorted, await IdsAsync(ExportOrder.InTurnAsync(table.ToAsyncEnumerable(), LastKeys(table), ordered: true)));
        // Keys in no order: sorted whole.
        var shuffled = table.OrderBy(p => p.Key.Length).ThenByDescending(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(sorted, await IdsAsync(ExportOrder.InTurnAsync(shuffled.ToAsyncEnumerable(), LastKeys(table), ordered: false)));
    }

    [Fact]
    public async Task Rows_equal_in_every_key_keep_the_order_read_and_the_time_orders_a_meetings_rows()
    {
        ResponseRow[] rows = [Row("a", 1, "client", key: "a-1", minute: 5), Row("a", 1, "client", key: "a-2", minute: 1), Row("a", 1, "client", key: "a-3", minute: 5)];
        var table = Table(rows);
        Assert.Equal(["a-2", "a-1", "a-3"], await IdsAsync(ExportOrder.InTurnAsync(table.ToAsyncEnumerable(), LastKeys(table), ordered: true)));
    }

    [Fact]
    public async Task With_the_usual_ids_a_dyads_rows_go_out_before_the_next_dyads_are_read()
    {
        var rows = Enumerable.Range(1, 50).SelectMany(d => Enumerable.Range(1, 12).Select(m => Row($"d-{d:000}", m, m % 2 == 0 ? "client" : "practitioner"))).ToArray();
        var table = Table(rows);
        var read = 0;
        async IAsyncEnumerable<(string Key, ResponseRow Row)> Scan()
        {
            foreach (var p in table)
            {
                read++;
                await Task.Yield();
                yield return p;
            }
        }

        var most = 0;
        var outCount = 0;
        await foreach (var _ in ExportOrder.InTurnAsync(Scan(), LastKeys(table), ordered: true))
        {
            outCount++;
            most = Math.Max(most, read - outCount);
        }
        Assert.Equal(rows.Length, outCount);
        // Never more than one dyad's rows read and not yet handed on.
        Assert.True(most <= 12, $"{most} rows held");
    }

    [Fact]
    public async Task Rows_of_a_dyad_the_count_did_not_see_are_left_out()
    {
        var table = Table([Row("a", 1, "client"), Row("b", 1, "client")]);
        var counted = LastKeys(table.Where(p => p.Row.Response.DyadId == "a"));
        Assert.Equal(["a-m1-client"], await IdsAsync(ExportOrder.InTurnAsync(table.ToAsyncEnumerable(), counted, ordered: true)));
    }
}

/// <summary>
/// <see cref="RaterIndex"/>: a response's rater is its assessment's (same key) however the assessments of a dyad and role
/// vary, and none when its assessment is missing, whatever the ids look like.
/// </summary>
public sealed class RaterIndexTests
{
    [Fact]
    public void A_responses_rater_is_its_assessments_or_none()
    {
        var index = new RaterIndex();
        foreach (var m in new[] { 1, 2, 4, 10, 64 }) index.Add(EnrolmentPlan.AssessmentId("a", m, "client"), "a", m, "client", "r-1");
        index.Add(EnrolmentPlan.AssessmentId("a", 3, "client"), "a", 3, "client", "r-stand-in");
        index.Add(EnrolmentPlan.AssessmentId("a", 70, "client"), "a", 70, "client", "r-70");
        index.Add("imported-7", "a", 7, "client", "r-imported");
        // Dyad "a-m1" rated by client at meeting 2: key a-m1-m2-client, which is no assessment of dyad "a".
        index.Add(EnrolmentPlan.AssessmentId("a-m1", 2, "client"), "a-m1", 2, "client", "r-other-dyad");

        string? Of(string dyad, int meeting, string role = "client", string? key = null) => index.RaterOf(key ?? EnrolmentPlan.AssessmentId(dyad, meeting, role), dyad, meeting, role);
        Assert.Equal(["r-1", "r-1", "r-stand-in", "r-1", "r-1", "r-1", "r-70"], new[] { 1, 2, 3, 4, 10, 64, 70 }.Select(m => Of("a", m)));
        Assert.Null(Of("a", 5));
        Assert.Null(Of("a", 1, "practitioner"));
        Assert.Null(Of("b", 1));
        Assert.Equal("r-imported", Of("a", 7, key: "imported-7"));
        Assert.Null(Of("a", 7));
        Assert.Equal("r-other-dyad", Of("a-m1", 2));
        Assert.Null(Of("a", 2, key: "a-m2-client-copy"));
    }
}
