using System.Runtime.CompilerServices;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// Puts the rows of a study's responses, read in table order, into the export's order by dyad (ordinal), holding as few
/// as that order allows and nothing kept per dyad of the study. No I/O: what it must know of rows not read yet it asks
/// (<c>hasRows</c>).
/// </summary>
/// <remarks>
/// <para>
/// Table order is by <c>RowKey</c>, the assessment id <c>{dyad}-m{meeting}-{role}</c>: each dyad's rows lie in the range
/// of keys that begin with <c>{dyad}-m</c> (its <em>range</em>), and a key read beyond that range (greater, without that
/// beginning) means every row of the dyad has been read. Ranges come in the dyads' own order except where one dyad id
/// begins with another: the rows of <c>d-001</c> (keys <c>d-001-m…</c>) come before those of a dyad <c>d</c> (keys
/// <c>d-m…</c>) though <c>d</c> comes first in the export, and the rows of <c>a-m1x</c> lie among those of <c>a</c>.
/// </para>
/// <para>
/// So the rows are held by dyad until the dyad's range has been read past, and a dyad read past is handed on once no
/// dyad before it in ordinal order may still come. Only a dyad whose id begins the held one's can (a dyad before it whose
/// id does not has its range before the held one's, so already read); for each such id whose range is still ahead the
/// reader is asked, once, whether that dyad has rows at all. With the usual ids (<c>d-001</c>, <c>site-2-014</c>) that is
/// a question per shared prefix (<c>d</c>, <c>site</c>, <c>site-2</c>), and only the dyad being read is held: memory flat
/// in the study's size. When such a dyad does exist, the dyads after it are held until its rows have been read: correct,
/// and as large as that stretch of the table.
/// </para>
/// <para>
/// The caller gives only rows whose keys follow the pattern, in ascending ordinal order (as Azure Table storage returns
/// them); a study with others is read whole (<see cref="ExportReader"/>).
/// </para>
/// </remarks>
public static class ExportOrder
{
    /// <summary>
    /// The rows of <paramref name="scan"/> (each with its <c>RowKey</c>, in ascending ordinal order) grouped by dyad, the
    /// groups in ordinal order of dyad and each group's rows in the order read. <paramref name="hasRows"/> tells whether a
    /// dyad has rows in the table (asked only of a dyad not read yet whose id begins a held one's).
    /// </summary>
    public static async IAsyncEnumerable<DyadGroup> InTurnAsync(IAsyncEnumerable<(string Key, ResponseRow Row)> scan, Func<string, CancellationToken, ValueTask<bool>> hasRows,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(hasRows);
        var held = new SortedDictionary<string, List<ResponseRow>>(StringComparer.Ordinal);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        string? handedOn = null;
        await foreach (var (key, row) in scan.WithCancellation(ct).ConfigureAwait(false))
        {
            var dyad = row.Response.DyadId;
            // A row of a dyad already handed on cannot come from a table in key order; were it to, it is left out rather
            // than written out of order.
            if (handedOn is not null && string.CompareOrdinal(dyad, handedOn) <= 0) continue;
            if (!held.TryGetValue(dyad, out var rows)) held[dyad] = rows = [];
            rows.Add(row);
            // Answers about ids whose range the read has passed are no longer asked for (usually there are none).
            if (known.Count > 0)
            {
                foreach (var passed in known.Keys.Where(y => IsPast(key, y)).ToList()) known.Remove(passed);
            }
            while (held.Count > 0)
            {
                var (first, firstRows) = held.First();
                if (!IsPast(key, first) || await MayStillComeAsync(first, key).ConfigureAwait(false)) break;
                held.Remove(first);
                handedOn = first;
                yield return new DyadGroup(first, firstRows);
            }
        }
        foreach (var (dyad, rows) in held) yield return new DyadGroup(dyad, rows);

        // Whether a dyad before this one, whose id begins this one's and whose range is still ahead of the key read, has rows.
        async ValueTask<bool> MayStillComeAsync(string dyad, string key)
        {
            for (var length = dyad.Length - 1; length > 0; length--)
            {
                var before = dyad[..length];
                if (IsPast(key, before)) continue;
                if (!known.TryGetValue(before, out var has)) known[before] = has = await hasRows(before, ct).ConfigureAwait(false);
                if (has) return true;
            }
            return false;
        }
    }

    /// <summary>The beginning of every key of a dyad's rows: <c>{dyad}-m</c>.</summary>
    public static string RangeOf(string dyad) => dyad + "-m";

    /// <summary>Whether a key follows the pattern of its dyad's rows (it begins with <see cref="RangeOf"/>).</summary>
    public static bool InRange(string key, string dyad)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(RangeOf(dyad), StringComparison.Ordinal);
    }

    /// <summary>Whether <paramref name="key"/> lies beyond every key of <paramref name="dyad"/>'s range.</summary>
    private static bool IsPast(string key, string dyad) => string.CompareOrdinal(key, RangeOf(dyad)) > 0 && !InRange(key, dyad);
}

/// <summary>A dyad's rows, in the order read.</summary>
/// <param name="DyadId">The dyad.</param>
/// <param name="Rows">Its rows.</param>
public sealed record DyadGroup(string DyadId, IReadOnlyList<ResponseRow> Rows);
