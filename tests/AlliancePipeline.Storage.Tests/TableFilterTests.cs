using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Storage.Tests;

/// <summary>OData v3 literal forms as listed in "Querying tables and entities" (Table service REST API).</summary>
public sealed class TableFilterTests
{
    [Fact]
    public void Each_type_becomes_its_OData_literal()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var when = new DateTimeOffset(2024, 2, 29, 14, 45, 30, TimeSpan.FromHours(1));
        var filter = TableFilter.Create($"A eq {"O'Brien"} and B eq {42} and C eq {42L} and D eq {2.0} and E eq {0.5} and F eq {true} and G eq {when} and H eq {id} and I eq {new byte[] { 0x0a, 0xff }}");
        Assert.Equal(
            "A eq 'O''Brien' and B eq 42 and C eq 42L and D eq 2.0 and E eq 0.5 and F eq true and G eq datetime'2024-02-29T13:45:30.0000000Z' and H eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' and I eq X'0aff'",
            filter);
    }

    [Fact]
    public void Unsupported_values_are_refused()
    {
        Assert.Contains("Decimal", Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {1.5m}")).Message);
        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {double.NaN}"));
    }
}
