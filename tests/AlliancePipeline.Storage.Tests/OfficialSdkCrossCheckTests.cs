using System.Diagnostics;
using System.Text.Json;
using AlliancePipeline.Storage.Emulator;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Storage.Tests;

/// <summary>
/// Entities written by the REST Table client are read back by the official Azure Tables SDK (JavaScript,
/// @azure/data-tables, pinned in sdk-check/package-lock.json) with the same EDM types, and the reverse.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OfficialSdkCrossCheckTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_official_SDK_reads_what_the_client_wrote_with_the_same_EDM_types()
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("sdk"));
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(TableClientTests.TypedEntity("O'Brien – Zürich", "row 1"));

        using var json = await RunAsync("read", table.Name, "O'Brien – Zürich", "row 1");
        Assert.Equal("O'Brien – Zürich", json.RootElement.GetProperty("partitionKey").GetString());
        var properties = json.RootElement.GetProperty("properties");
        (string Type, string Value) P(string name)
        {
            var p = properties.GetProperty(name);
            return (p.GetProperty("type").GetString()!, p.GetProperty("value").GetString()!);
        }

        Assert.Equal(("Int64", "9007199254740993"), P("Int64"));
        Assert.Equal(("Int32", "-42"), P("Int32"));
        // The service (and Azurite) answers a whole Edm.Double as "2.0" without an annotation; JavaScript's JSON.parse
        // cannot tell 2.0 from 2, so the SDK's type inference names it Int32. The value is what matters there; the
        // fractional property below shows the SDK seeing Edm.Double, and this client reads "2.0" back as a double.
        Assert.Equal(2.0, double.Parse(P("Double").Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("Double", "0.1"), P("Fraction"));
        Assert.Equal(("Boolean", "true"), P("Flag"));
        Assert.Equal(("DateTime", "2024-02-29T13:45:30.1234567Z"), P("When"));
        Assert.Equal(("Guid", "0f8fad5b-d9cb-469f-a165-70867728950e"), P("Id"));
        Assert.Equal(("Binary", "AAEC/v8="), P("Bytes"));
        Assert.Equal(("String", "Working Alliance Inventory – 'short' form"), P("Text"));
        Assert.Equal(9, properties.EnumerateObject().Count());
    }

    [Fact]
    public async Task The_client_reads_what_the_official_SDK_wrote_with_the_same_CLR_types()
    {
        var tableName = AzuriteFixture.UniqueTableName("sdk");
        using var _ = await RunAsync("write", tableName, "p'q ü", "r");

        var entity = (await azurite.Tables.GetTableClient(tableName).GetEntityAsync("p'q ü", "r")).Value;
        Assert.Equal("written by the official SDK – ü", Assert.IsType<string>(entity["Text"]));
        Assert.Equal(-42, Assert.IsType<int>(entity["Int32"]));
        Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(entity["Int64"]));
        Assert.Equal(2.0, Assert.IsType<double>(entity["Double"]));
        Assert.True(Assert.IsType<bool>(entity["Flag"]));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 45, 30, 123, TimeSpan.Zero).AddTicks(4567), Assert.IsType<DateTimeOffset>(entity["When"]));
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Assert.IsType<Guid>(entity["Id"]));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, Assert.IsType<byte[]>(entity["Bytes"]));
    }

    private async Task<JsonDocument> RunAsync(string command, string table, string partitionKey, string rowKey)
    {
        var root = EmulatorTools.Locate().RepositoryRoot;
        var directory = Path.Combine(root, "tests", "AlliancePipeline.Storage.Tests", "sdk-check");
        await EmulatorTools.EnsureNpmInstallAsync(directory, Path.Combine(root, ".local"), Console.WriteLine);

        var info = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "check.mjs", command, azurite.ConnectionString, table, partitionKey, rowKey }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"node check.mjs {command} failed ({process.ExitCode}): {await stderr}");
        return JsonDocument.Parse(await stdout);
    }
}
