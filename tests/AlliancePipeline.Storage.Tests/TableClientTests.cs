using AlliancePipeline.Storage.Tables;
using Azure;

namespace AlliancePipeline.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class TableClientTests(AzuriteFixture azurite)
{
    private async Task<ITableClient> NewTableAsync()
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("t"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    internal static TableEntity TypedEntity(string partitionKey, string rowKey) => new(partitionKey, rowKey)
    {
        ["Text"] = "Working Alliance Inventory – 'short' form",
        ["Int32"] = -42,
        ["Int64"] = 9_007_199_254_740_993L, // 2^53 + 1: not representable as a JSON double
        ["Double"] = 2.0,
        ["Fraction"] = 0.1,
        ["Flag"] = true,
        ["When"] = new DateTimeOffset(2024, 2, 29, 13, 45, 30, 123, TimeSpan.Zero).AddTicks(4567),
        ["Id"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ["Bytes"] = new byte[] { 0, 1, 2, 254, 255 },
    };

    [Fact]
    public async Task Create_is_idempotent_and_delete_if_exists_tolerates_a_missing_table()
    {
        var table = await NewTableAsync();
        await table.CreateIfNotExistsAsync();
        await table.DeleteIfExistsAsync();
        await table.DeleteIfExistsAsync();
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal(404, e.Status);
        Assert.Equal("TableNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task Typed_properties_round_trip_with_their_EDM_types()
    {
        var table = await NewTableAsync();
        var written = TypedEntity("p", "r");
        var etag = (await table.AddEntityAsync(written)).Value;
        Assert.NotEqual(default, etag);

        var read = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal(written.PropertyNames.OrderBy(n => n), read.PropertyNames.OrderBy(n => n));
        Assert.IsType<string>(read["Text"]);
        Assert.Equal(written["Text"], read["Text"]);
        Assert.Equal(-42, Assert.IsType<int>(read["Int32"]));
        Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(read["Int64"]));
        Assert.Equal(2.0, Assert.IsType<double>(read["Double"]));
        Assert.Equal(0.1, Assert.IsType<double>(read["Fraction"]));
        Assert.True(Assert.IsType<bool>(read["Flag"]));
        Assert.Equal((DateTimeOffset)written["When"]!, Assert.IsType<DateTimeOffset>(read["When"]));
        Assert.Equal(written["Id"], Assert.IsType<Guid>(read["Id"]));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, Assert.IsType<byte[]>(read["Bytes"]));
    }

    [Fact]
    public async Task Utc_DateTime_and_BinaryData_are_written_as_DateTime_and_Binary()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r")
        {
            ["At"] = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ["Blob"] = BinaryData.FromString("abc"),
            ["NaN"] = double.NaN,
        });
        var read = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), read.GetDateTimeOffset("At"));
        Assert.Equal("abc"u8.ToArray(), read.GetBinary("Blob"));
        Assert.True(double.IsNaN(read.GetDouble("NaN")!.Value));
    }

    [Theory]
    [InlineData("O'Brien's study", "row 'quoted' ''twice''")]
    [InlineData("Zürich Ärzte", "Æsop – São Paulo – 東京 – Ωmega")]
    [InlineData("spaces  in  key ", " leading and trailing ")]
    [InlineData("100% & + = ; , $ @ ! * ( ) [ ]", "~`^{}|<>\"")]
    public async Task Keys_with_quotes_spaces_and_non_ASCII_letters_are_escaped_correctly(string partitionKey, string rowKey)
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity(partitionKey, rowKey) { ["V"] = 1 });
        await table.AddEntityAsync(new TableEntity(partitionKey, "other") { ["V"] = 2 });

        var read = (await table.GetEntityAsync(partitionKey, rowKey)).Value;
        Assert.Equal(partitionKey, read.PartitionKey);
        Assert.Equal(rowKey, read.RowKey);
        Assert.Equal(1, read.GetInt32("V"));

        var filtered = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {partitionKey} and RowKey eq {rowKey}")).ToListAsync();
        Assert.Equal(rowKey, Assert.Single(filtered).RowKey);

        await table.UpsertEntityAsync(new TableEntity(partitionKey, rowKey) { ["W"] = "merged" });
        var merged = (await table.GetEntityAsync(partitionKey, rowKey)).Value;
        Assert.Equal(1, merged.GetInt32("V"));
        Assert.Equal("merged", merged.GetString("W"));

        await table.DeleteEntityAsync(partitionKey, rowKey);
        Assert.False((await table.GetEntityIfExistsAsync(partitionKey, rowKey)).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync(partitionKey, "other")).HasValue);
    }

    [Fact]
    public async Task Insert_of_existing_keys_is_refused_with_the_service_error_code()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Contains("PartitionKey 'p', RowKey 'r'", e.Message);
    }

    [Fact]
    public async Task Upsert_replace_drops_unsent_properties_and_merge_keeps_them()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = 1, ["B"] = "b" }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["C"] = 3L }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(["A", "B", "C"], merged.PropertyNames.OrderBy(n => n, StringComparer.Ordinal));

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["D"] = true }, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(["D"], replaced.PropertyNames);
    }

    [Fact]
    public async Task An_ETag_conflict_becomes_a_TableConcurrencyException()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var first = (await table.GetEntityAsync("p", "r")).Value;
        var second = (await table.GetEntityAsync("p", "r")).Value;

        first["N"] = 2;
        var newEtag = (await table.UpdateEntityAsync(first, first.ETag, TableUpdateMode.Replace)).Value;
        Assert.NotEqual(first.ETag, newEtag);

        second["N"] = 3;
        var conflict = await Assert.ThrowsAsync<TableConcurrencyException>(() => table.UpdateEntityAsync(second, second.ETag, TableUpdateMode.Merge));
        Assert.Equal(412, conflict.Status);
        Assert.Equal("UpdateConditionNotSatisfied", conflict.ErrorCode);
        await Assert.ThrowsAsync<TableConcurrencyException>(() => table.DeleteEntityAsync("p", "r", second.ETag));

        Assert.Equal(2, (await table.GetEntityAsync("p", "r")).Value.GetInt32("N"));
        await table.UpdateEntityAsync(second, ETag.All, TableUpdateMode.Merge);
        Assert.Equal(3, (await table.GetEntityAsync("p", "r")).Value.GetInt32("N"));
        var current = (await table.GetEntityAsync("p", "r")).Value;
        Assert.NotEqual(newEtag, current.ETag);
        await table.DeleteEntityAsync("p", "r", current.ETag);
        Assert.False((await table.GetEntityIfExistsAsync("p", "r")).HasValue);
    }

    [Fact]
    public async Task Update_of_a_missing_entity_is_a_404_and_get_of_a_missing_entity_throws_404()
    {
        var table = await NewTableAsync();
        var update = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(new TableEntity("p", "nope"), ETag.All));
        Assert.Equal(404, update.Status);
        var get = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "nope"));
        Assert.Equal(404, get.Status);
        Assert.Equal("ResourceNotFound", get.ErrorCode);
        Assert.False((await table.GetEntityIfExistsAsync("p", "nope")).HasValue);
        Assert.Equal(404, (await table.DeleteEntityAsync("p", "nope")).Status);
    }

    [Fact]
    public async Task Get_with_select_returns_only_the_selected_properties()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(TypedEntity("p", "r"));
        var read = (await table.GetEntityAsync("p", "r", ["Int64", "Id"])).Value;
        Assert.Equal(["Id", "Int64"], read.PropertyNames.OrderBy(n => n, StringComparer.Ordinal));
        Assert.IsType<long>(read["Int64"]);
        Assert.IsType<Guid>(read["Id"]);
    }

    [Fact]
    public async Task Query_pages_over_more_than_1000_entities_with_continuation()
    {
        var table = await NewTableAsync();
        const int total = 1_234;
        var partitions = new[] { "a", "b", "c" };
        foreach (var partition in partitions)
        {
            var rows = Enumerable.Range(0, total).Where(i => partitions[i % 3] == partition).ToList();
            foreach (var chunk in rows.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(
                    TableTransactionActionType.Add,
                    new TableEntity(partition, i.ToString("D5")) { ["I"] = i, ["Even"] = i % 2 == 0 })));
            }
        }

        var pages = new List<int>();
        var seen = new List<int>();
        await foreach (var page in table.QueryAsync().AsPages())
        {
            pages.Add(page.Values.Count);
            seen.AddRange(page.Values.Select(e => e.GetInt32("I")!.Value));
        }

        Assert.True(pages.Count >= 2, $"expected at least two pages, got {pages.Count}");
        Assert.All(pages, n => Assert.InRange(n, 0, 1000));
        Assert.Equal(Enumerable.Range(0, total), seen.Order());

        var small = await table.QueryAsync(TableFilter.Create($"Even eq {true} and I lt {200}"), maxPerPage: 7, select: ["I"]).AsPages().ToListAsync();
        Assert.Equal(100, small.Sum(p => p.Values.Count));
        Assert.All(small, p => Assert.InRange(p.Values.Count, 0, 7));
        Assert.All(small.SelectMany(p => p.Values), e => Assert.Equal(["I"], e.PropertyNames));
    }

    [Fact]
    public async Task Filters_compare_typed_literals()
    {
        var table = await NewTableAsync();
        var entity = TypedEntity("p", "r");
        await table.AddEntityAsync(entity);
        await table.AddEntityAsync(new TableEntity("p", "other") { ["Int64"] = 1L, ["Double"] = 3.5 });

        async Task<string> Single(FormattableString filter) => Assert.Single(await table.QueryAsync(TableFilter.Create(filter)).ToListAsync()).RowKey;

        Assert.Equal("r", await Single($"Int64 eq {9_007_199_254_740_993L}"));
        Assert.Equal("r", await Single($"Double eq {2.0}"));
        Assert.Equal("other", await Single($"Double gt {3.0}"));
        Assert.Equal("r", await Single($"When eq {(DateTimeOffset)entity["When"]!}"));
        Assert.Equal("r", await Single($"Id eq {(Guid)entity["Id"]!}"));
        Assert.Equal("r", await Single($"Bytes eq {new byte[] { 0, 1, 2, 254, 255 }}"));
        Assert.Equal("r", await Single($"Text eq {"Working Alliance Inventory – 'short' form"}"));
        Assert.Equal("r", await Single($"Flag eq {true} and Int32 eq {-42}"));
    }

    [Fact]
    public async Task A_batch_of_100_operations_is_all_or_nothing()
    {
        var table = await NewTableAsync();
        var adds = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}") { ["I"] = i })).ToList();
        var result = await table.SubmitTransactionAsync(adds);
        Assert.Equal(100, result.Value.Count);
        Assert.All(result.Value, r => Assert.Equal(204, r.Status));
        Assert.Equal(100, await table.QueryAsync(TableFilter.Create($"PartitionKey eq {"p"}")).CountAsync());

        var existing = (await table.GetEntityAsync("p", "r005")).Value;
        var mixed = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "new1") { ["I"] = -1 }),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r005") { ["J"] = 5, ETag = existing.ETag }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "r006")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "r007") { ["J"] = 7 }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "r008") { ["K"] = 8 }),
        };
        await table.SubmitTransactionAsync(mixed);
        Assert.Equal(-1, (await table.GetEntityAsync("p", "new1")).Value.GetInt32("I"));
        Assert.Equal(5, (await table.GetEntityAsync("p", "r005")).Value.GetInt32("J"));
        Assert.False((await table.GetEntityIfExistsAsync("p", "r006")).HasValue);
        Assert.Equal(7, (await table.GetEntityAsync("p", "r007")).Value.GetInt32("I"));
        Assert.Null((await table.GetEntityAsync("p", "r008")).Value.GetInt32("I"));

        var failing = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity("p", "fresh1")),
            new(TableTransactionActionType.Add, new TableEntity("p", "fresh2")),
            new(TableTransactionActionType.Add, new TableEntity("p", "r010")),
        };
        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(failing));
        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Equal(2, e.FailedActionIndex);
        Assert.False((await table.GetEntityIfExistsAsync("p", "fresh1")).HasValue);
    }

    [Fact]
    public async Task A_batch_is_checked_before_sending()
    {
        var table = await NewTableAsync();
        var tooMany = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}")));
        Assert.Contains("1 to 100", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(tooMany))).Message);
        var twoPartitions = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", "r")) };
        Assert.Contains("one partition", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(twoPartitions))).Message);
        var sameRow = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r")), new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "r")) };
        Assert.Contains("second time", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(sameRow))).Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u0085b")]
    public async Task Forbidden_key_characters_are_refused_with_a_clear_message(string key)
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("t"));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(new TableEntity("p", key)));
        Assert.Contains("RowKey", e.Message);
        Assert.Contains("forbids", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetEntityAsync(key, "r"));
    }

    [Fact]
    public async Task More_than_252_properties_and_entities_over_1_MiB_are_refused_with_a_clear_message()
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("t"));
        var wide = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++) wide[$"P{i}"] = i;
        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertEntityAsync(wide));
        Assert.Contains("253 properties", e.Message);
        Assert.Contains("252", e.Message);

        var large = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++) large[$"S{i}"] = new string('x', 32 * 1024);
        var tooLarge = await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(large));
        Assert.Contains("1 MiB", tooLarge.Message);

        var unsupported = new TableEntity("p", "r") { ["D"] = 1.5m };
        Assert.Contains("Decimal", (await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(unsupported))).Message);
    }

    [Fact]
    public async Task Entities_at_the_limits_are_accepted_and_read_back()
    {
        var table = await NewTableAsync();
        var wide = new TableEntity("p", new string('k', TableValidation.MaxKeyLength));
        for (var i = 0; i < TableValidation.MaxCustomProperties; i++) wide[$"P{i}"] = i;
        await table.UpsertEntityAsync(wide);
        Assert.Equal(252, (await table.GetEntityAsync("p", wide.RowKey)).Value.PropertyNames.Count);

        // 15 strings of 32K characters: 4 + 2·(1+5) + 15·(8 + 2·3 + 4 + 65,536) = 983,286 bytes by the documented formula.
        var large = new TableEntity("p", "large");
        for (var i = 0; i < 15; i++) large[$"S{i:D2}"] = new string((char)('a' + i), 32 * 1024);
        await table.UpsertEntityAsync(large);
        var read = (await table.GetEntityAsync("p", "large")).Value;
        Assert.Equal(new string('o', 32 * 1024), read.GetString("S14"));

        var longKey = new TableEntity("p", new string('k', TableValidation.MaxKeyLength + 1));
        Assert.Contains("513 characters", (await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(longKey))).Message);
    }

    [Fact]
    public void Invalid_table_names_are_refused()
    {
        Assert.Contains("'1abc'", Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("1abc")).Message);
        Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("ab"));
        Assert.Throws<ArgumentException>(() => azurite.Tables.GetTableClient("has-dash"));
    }
}
