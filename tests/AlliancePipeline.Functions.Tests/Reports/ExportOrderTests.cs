using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// <see cref="ExportOrder"/>: rows read in table (ordinal <c>RowKey</c>) order come out in the export's order, the whole
/// list sorted (<see cref="ResponseRowLookups.Order"/>) being the reference, for ids whose table order is not the export's
/// and for thousands of random ids made of the characters that make it hard; with the usual ids a dyad's rows go out
/// before the next dyad's are read (only one dyad held) and the table is asked once per shared prefix.
/// </summary>
public sealed class ExportOrderTests
{
    private static ResponseRow Row(string dyad, int meeting, string role, string? key = null, int minute = 0) => new(
        new StoredResponse("s", key ?? EnrolmentPlan.AssessmentId(dyad, meeting, role), "site", dyad, meeting, role, [4], new Dictionary<string, double>(), 4,
            new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero)),
        null, RowDyad.None);

    /// <summary>The rows as the table holds them: by key, ordinal.</summary>
    private static List<(string Key, ResponseRow Row)> Table(IEnumerable<ResponseRow> rows) =>
        [.. rows.Select(r => (r.Response.AssessmentId, r)).OrderBy(p => p.AssessmentId, StringComparer.Ordinal)];

    /// <summary>The export's order as <see cref="ExportOrder"/> gives it (each dyad's rows sorted, as the reader sorts them), with the table's dyads to answer its questions.</summary>
    private static async Task<List<string>> InTurnAsync(IEnumerable<(string Key, ResponseRow Row)> table, List<string>? asked = null)
    {
        var dyads = table.Select(p => p.Row.Response.DyadId).ToHashSet(StringComparer.Ordinal);
        var ids = new List<string>();
        await foreach (var group in ExportOrder.InTurnAsync(table.ToAsyncEnumerable(), (dyad, _) =>
        {
            asked?.Add(dyad);
            return ValueTask.FromResult(dyads.Contains(dyad));
        }))
        {
            Assert.All(group.Rows, r => Assert.Equal(group.DyadId, r.Response.DyadId));
            ids.AddRange(ResponseRowLookups.Order(group.Rows).Select(r => r.Response.AssessmentId));
        }
        return ids;
    }

    private static List<string> Sorted(IEnumerable<(string Key, ResponseRow Row)> table) =>
        [.. ResponseRowLookups.Order(table.Select(p => p.Row)).Select(r => r.Response.AssessmentId)];

    public static TheoryData<string> Awkward => ["meetings of 10 and more", "an id another's followed by -m", "an id another's followed by -m-", "an id that begins others"];

    private static ResponseRow[] Rows(string awkward) => awkward switch
    {
        "meetings of 10 and more" => [.. Enumerable.Range(1, 12).SelectMany(m => new[] { Row("d-1", m, "client"), Row("d-1", m, "practitioner") }), Row("d-2", 10, "client"), Row("d-2", 9, "client")],
        "an id another's followed by -m" => [Row("a", 1, "client"), Row("a", 2, "client"), Row("a", 10, "client"), Row("a-m1x", 1, "client"), Row("a-m1x", 12, "client"), Row("a-m2", 1, "practitioner"), Row("b", 1, "client")],
        "an id another's followed by -m-" => [Row("a", 1, "client"), Row("a", 3, "client"), Row("a-m", 1, "client"), Row("a-m", 2, "client"), Row("a-m-m", 1, "client"), Row("0", 1, "client")],
        _ => [Row("d", 1, "client"), Row("d-001", 1, "client"), Row("d-002", 2, "client"), Row("d-a", 1, "client"), Row("d-z", 1, "client"), Row("e", 1, "client")],
    };

    [Theory]
    [MemberData(nameof(Awkward))]
    public async Task Rows_read_in_table_order_come_out_as_the_whole_list_sorted(string awkward)
    {
        var table = Table(Rows(awkward));
        var sorted = Sorted(table);
        Assert.NotEqual(table.Select(p => p.Key), sorted);

        Assert.Equal(sorted, await InTurnAsync(table));
    }

    /// <summary>
    /// Random ids of the characters whose order makes one dyad's range come before, inside or after another's (<c>-</c>,
    /// <c>m</c>, and a character before and after each), meetings 1 to 12 and two roles: always the whole list sorted.
    /// </summary>
    [Fact]
    public async Task Random_ids_of_awkward_characters_come_out_as_the_whole_list_sorted()
    {
        var random = new Random(19);
        const string Characters = "-m0an";
        for (var study = 0; study < 2000; study++)
        {
            var rows = new List<ResponseRow>();
            var dyads = Enumerable.Range(0, random.Next(1, 8)).Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => Characters[random.Next(Characters.Length)])])).Distinct().ToList();
            foreach (var dyad in dyads)
            {
                foreach (var meeting in Enumerable.Range(1, 12).Where(_ => random.Next(3) == 0))
                    rows.Add(Row(dyad, meeting, random.Next(2) == 0 ? "client" : "practitioner"));
            }
            var table = Table(rows.DistinctBy(r => r.Response.AssessmentId));
            Assert.Equal(Sorted(table), await InTurnAsync(table));
        }
    }

    [Fact]
    public async Task Rows_equal_in_every_key_keep_the_order_read_and_the_time_orders_a_meetings_rows()
    {
        ResponseRow[] rows = [Row("a", 1, "client", key: "a-m1-client", minute: 5), Row("a", 1, "client", key: "a-m1-client-2", minute: 1), Row("a", 1, "client", key: "a-m1-client-3", minute: 5)];
        Assert.Equal(["a-m1-client-2", "a-m1-client", "a-m1-client-3"], await InTurnAsync(Table(rows)));
    }

    [Fact]
    public async Task With_the_usual_ids_a_dyads_rows_go_out_before_the_next_dyads_are_read_and_the_table_is_asked_once()
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
        var asked = new List<string>();
        await foreach (var group in ExportOrder.InTurnAsync(Scan(), (dyad, _) =>
        {
            asked.Add(dyad);
            return ValueTask.FromResult(false);
        }))
        {
            outCount += group.Rows.Count;
            most = Math.Max(most, read - outCount);
        }
        Assert.Equal(rows.Length, outCount);
        // Never more than one dyad's rows read and not yet handed on, and the next dyad's first row.
        Assert.True(most <= 13, $"{most} rows held");
        // Only "d" (keys d-m…, after every d-001-m…) could come before d-001: asked once.
        Assert.Equal(["d"], asked);
    }

    [Fact]
    public async Task A_dyad_whose_id_begins_the_others_holds_them_until_its_rows_are_read()
    {
        var table = Table([Row("d", 1, "client"), .. Enumerable.Range(1, 20).Select(d => Row($"d-{d:000}", 1, "client"))]);
        var asked = new List<string>();
        var ids = await InTurnAsync(table, asked);
        Assert.Equal(Sorted(table), ids);
        Assert.Equal("d-m1-client", ids[0]);
        Assert.Equal(["d"], asked);
    }
}
