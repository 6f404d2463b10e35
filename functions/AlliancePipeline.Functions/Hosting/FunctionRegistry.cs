using System.Reflection;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// The functions of the app by name. Every non-abstract class implementing <see cref="IFunction"/> in this assembly is
/// registered (as a singleton) by <see cref="AddFunctions"/>; nothing else lists them, so adding a function is its
/// folder, its <c>function.json</c> and its class.
/// </summary>
public sealed class FunctionRegistry
{
    private readonly Dictionary<string, IFunction> _byName;

    /// <summary>Indexes the functions by name; two with one name is a programming error.</summary>
    public FunctionRegistry(IEnumerable<IFunction> functions)
    {
        _byName = new Dictionary<string, IFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            if (!_byName.TryAdd(function.Name, function))
                throw new InvalidOperationException($"Two functions are named '{function.Name}'.");
        }
    }

    /// <summary>All functions, by name.</summary>
    public IReadOnlyCollection<IFunction> All => _byName.Values;

    /// <summary>The function of that name, or null.</summary>
    public IFunction? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The function classes of this assembly.</summary>
    public static IReadOnlyList<Type> DiscoverTypes() =>
        [.. typeof(FunctionRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IFunction).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Registers every function class and the registry.</summary>
    public static IServiceCollection AddFunctions(IServiceCollection services)
    {
        foreach (var type in DiscoverTypes())
        {
            services.AddSingleton(type);
            services.AddSingleton(typeof(IFunction), sp => sp.GetRequiredService(type));
        }
        services.AddSingleton<FunctionRegistry>();
        return services;
    }
}
