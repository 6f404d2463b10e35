using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// A YAML parser that keeps a study file within bounds while it is read: nesting depth, the number of values once
/// aliases are expanded, and no alias inside the list or mapping it repeats. It checks each event as YamlDotNet's
/// parser (which does not recurse) produces it, before the representation model (which does) builds the node: a hostile
/// file (a deep nest, an alias bomb, a recursive alias) is refused with its line instead of exhausting the stack or the
/// memory of what reads it next.
/// </summary>
internal sealed class YamlLimits(IParser parser) : IParser
{
    /// <summary>The deepest nesting of lists and mappings (a study file needs about 8, an instrument written out included).</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values a file may hold, keys included, with each alias counted as everything it repeats.</summary>
    public const int MaxNodes = 1_000_000;

    private readonly Stack<Open> _open = new();
    private readonly Dictionary<string, (long Nodes, int Height, bool Closed)> _anchors = new(StringComparer.Ordinal);
    private long _nodes;

    /// <summary>Thrown when the file goes over a bound: where, and which.</summary>
    internal sealed class BreachException(Mark at, string problem) : Exception(problem)
    {
        /// <summary>Where the file goes over the bound.</summary>
        public Mark At { get; } = at;
    }

    private sealed class Open(string? anchor, long nodesBefore, int depth)
    {
        public string? Anchor { get; } = anchor;

        public long NodesBefore { get; } = nodesBefore;

        public int Depth { get; } = depth;

        public int Deepest { get; set; } = depth;
    }

    /// <inheritdoc />
    public ParsingEvent? Current => parser.Current;

    /// <inheritdoc />
    public bool MoveNext()
    {
        if (!parser.MoveNext())
        {
            return false;
        }

        Check(parser.Current!);
        return true;
    }

    private void Check(ParsingEvent current)
    {
        var depth = _open.Count;
        switch (current)
        {
            case Scalar scalar:
                _nodes++;
                Anchor(scalar.Anchor, (1, 0, true));
                break;
            case NodeEvent start when start is SequenceStart or MappingStart:
                _nodes++;
                if (depth + 1 > MaxDepth)
                {
                    throw new BreachException(current.Start, $"the file nests lists and mappings more than {MaxDepth} deep here");
                }

                Anchor(start.Anchor, (0, 0, false));
                _open.Push(new Open(start.Anchor.IsEmpty ? null : start.Anchor.Value, _nodes - 1, depth + 1));
                break;
            case SequenceEnd or MappingEnd when _open.Count > 0:
                var done = _open.Pop();
                if (done.Anchor is not null)
                {
                    _anchors[done.Anchor] = (_nodes - done.NodesBefore, done.Deepest - done.Depth + 1, true);
                }

                if (_open.TryPeek(out var outer))
                {
                    outer.Deepest = Math.Max(outer.Deepest, done.Deepest);
                }

                break;
            case AnchorAlias alias when _anchors.TryGetValue(alias.Value.Value, out var repeated):
                if (!repeated.Closed)
                {
                    throw new BreachException(current.Start, $"alias '*{alias.Value.Value}' repeats a list or mapping that contains it, which would never end");
                }

                _nodes += repeated.Nodes;
                if (depth + repeated.Height > MaxDepth)
                {
                    throw new BreachException(current.Start,
                        $"the file nests lists and mappings more than {MaxDepth} deep here (alias '*{alias.Value.Value}' included)");
                }

                if (_open.TryPeek(out var holder))
                {
                    holder.Deepest = Math.Max(holder.Deepest, depth + repeated.Height);
                }

                break;
            case AnchorAlias:
                _nodes++; // an alias to no anchor: loading reports it
                break;
        }

        if (_nodes > MaxNodes)
        {
            throw new BreachException(current.Start, string.Create(CultureInfo.InvariantCulture,
                $"the file holds more than {MaxNodes:N0} values here (an alias counts as all it repeats)"));
        }
    }

    private void Anchor(AnchorName anchor, (long, int, bool) value)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = value;
        }
    }
}
