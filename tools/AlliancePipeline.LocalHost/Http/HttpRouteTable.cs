using AlliancePipeline.LocalHost.Functions;
using Microsoft.AspNetCore.Routing.Template;

namespace AlliancePipeline.LocalHost.Http;

/// <summary>
/// The HTTP functions' routes: <c>{routePrefix}/{route}</c> (route default: the function name) with ASP.NET route
/// template syntax and inline constraints, and the trigger's methods. As with the host's routes, a request matches a
/// function only if its path, constraints and method all match; otherwise it is a 404 (a known path with another
/// method too). More specific templates are tried first.
/// </summary>
internal sealed class HttpRouteTable
{
    private readonly List<Entry> _entries;
    private readonly IInlineConstraintResolver _constraints;

    public HttpRouteTable(IEnumerable<FunctionDescriptor> functions, string routePrefix, IInlineConstraintResolver constraints)
    {
        _constraints = constraints;
        _entries = [.. functions
            .Where(f => f.Is(TriggerTypes.Http))
            .Select(f => Create(f, routePrefix))
            .OrderBy(e => e.Precedence)
            .ThenBy(e => e.Function.Name, StringComparer.Ordinal)];
    }

    /// <summary>The route template of a function: prefix and route.</summary>
    public static string TemplateOf(FunctionDescriptor function, string routePrefix) =>
        routePrefix.Length == 0 ? function.Route : $"{routePrefix}/{function.Route}";

    /// <summary>The function that serves the request, with its route values; null when none does.</summary>
    public (FunctionDescriptor Function, RouteValueDictionary Values)? Match(HttpContext context)
    {
        var path = context.Request.Path;
        foreach (var entry in _entries)
        {
            var values = new RouteValueDictionary();
            if (!entry.Matcher.TryMatch(path, values)) continue;
            if (!ConstraintsMatch(entry, values, context)) continue;
            if (entry.Methods.Count > 0 && !entry.Methods.Contains(context.Request.Method)) continue;
            return (entry.Function, values);
        }

        return null;
    }

    private bool ConstraintsMatch(Entry entry, RouteValueDictionary values, HttpContext context)
    {
        foreach (var parameter in entry.Parsed.Parameters)
        {
            foreach (var inline in parameter.InlineConstraints)
            {
                var constraint = _constraints.ResolveConstraint(inline.Constraint)
                    ?? throw new LocalHostConfigurationException($"Function {entry.Function.Name}: the route constraint '{inline.Constraint}' is unknown.");
                if (!values.TryGetValue(parameter.Name!, out var value) || value is null)
                {
                    if (parameter.IsOptional) continue;
                    return false;
                }

                if (!constraint.Match(context, null, parameter.Name!, values, RouteDirection.IncomingRequest)) return false;
            }
        }

        return true;
    }

    private static Entry Create(FunctionDescriptor function, string routePrefix)
    {
        var template = TemplateOf(function, routePrefix);
        RouteTemplate parsed;
        try
        {
            parsed = TemplateParser.Parse(template);
        }
        catch (ArgumentException e)
        {
            throw new LocalHostConfigurationException($"Function {function.Name}: the route '{function.Route}' is not a valid route template: {e.Message}");
        }

        var defaults = new RouteValueDictionary();
        foreach (var parameter in parsed.Parameters.Where(p => p.DefaultValue is not null)) defaults[parameter.Name!] = parameter.DefaultValue;
        return new Entry(function, parsed, new TemplateMatcher(parsed, defaults), RoutePrecedence.ComputeInbound(parsed),
            new HashSet<string>(function.Methods, StringComparer.OrdinalIgnoreCase));
    }

    private sealed record Entry(FunctionDescriptor Function, RouteTemplate Parsed, TemplateMatcher Matcher, decimal Precedence, HashSet<string> Methods);
}
