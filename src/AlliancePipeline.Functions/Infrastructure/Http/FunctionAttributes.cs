using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// The attributes a function declares on its method (<c>[KeyAccess]</c>, <c>[RequestLimits]</c>, <c>[StorageOutage]</c>),
/// found from <see cref="FunctionDefinition.EntryPoint"/> (<c>Namespace.Class.Method</c>) the first time the function
/// runs and kept: the worker's middleware reads them on every invocation without reflection.
/// </summary>
public static class FunctionAttributes
{
    private static readonly Assembly Functions = typeof(FunctionAttributes).Assembly;

    private static readonly ConcurrentDictionary<string, Attribute[]> ByEntryPoint = new(StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyDictionary<string, MethodInfo>> ByName = new(IndexByName);

    /// <summary>The <typeparamref name="T"/> the running function declares, or null.</summary>
    public static T? Get<T>(FunctionContext context)
        where T : Attribute
    {
        ArgumentNullException.ThrowIfNull(context);
        return Get<T>(context.FunctionDefinition.EntryPoint);
    }

    /// <summary>The <typeparamref name="T"/> the method at <paramref name="entryPoint"/> declares, or null (none, or no such method).</summary>
    public static T? Get<T>(string entryPoint)
        where T : Attribute =>
        ByEntryPoint.GetOrAdd(entryPoint, Resolve).OfType<T>().FirstOrDefault();

    /// <summary>The <typeparamref name="T"/> the function named <paramref name="function"/> declares, or null.</summary>
    public static T? ForFunction<T>(string function)
        where T : Attribute =>
        ByName.Value.TryGetValue(function, out var method) ? Get<T>(EntryPoint(method)) : null;

    /// <summary>The entry point of a function method, as the Worker SDK writes it in <c>functions.metadata</c>.</summary>
    public static string EntryPoint(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return $"{method.DeclaringType!.FullName}.{method.Name}";
    }

    private static Attribute[] Resolve(string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        if (dot <= 0) return [];
        var method = Functions.GetType(entryPoint[..dot])?.GetMethod(entryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance);
        return method is null ? [] : [.. method.GetCustomAttributes()];
    }

    private static IReadOnlyDictionary<string, MethodInfo> IndexByName() =>
        Functions.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(f => f.Function is not null)
            .ToDictionary(f => f.Function!.Name, f => f.Method, StringComparer.Ordinal);
}
