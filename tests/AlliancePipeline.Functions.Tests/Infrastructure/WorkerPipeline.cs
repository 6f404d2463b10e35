using System.Collections.Immutable;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>
/// The worker's middleware pipeline, built the way the worker builds it: <c>Program</c>'s registrations (the same
/// extension, <c>UseHttpEdge</c>) collected through <see cref="IFunctionsWorkerApplicationBuilder.Use"/> and composed in
/// order around the function. <see cref="TestApp"/> runs each HTTP function through it.
/// </summary>
public sealed class WorkerPipeline(IServiceCollection services) : IFunctionsWorkerApplicationBuilder
{
    private readonly List<Func<FunctionExecutionDelegate, FunctionExecutionDelegate>> _middleware = [];

    public IServiceCollection Services { get; } = services;

    public IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware)
    {
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>The registered middleware, first registered outermost, around <paramref name="function"/>.</summary>
    public FunctionExecutionDelegate Around(FunctionExecutionDelegate function) =>
        _middleware.AsEnumerable().Reverse().Aggregate(function, (next, middleware) => middleware(next));
}

/// <summary>
/// A <see cref="FunctionContext"/> for one HTTP invocation, as the worker's ASP.NET Core integration makes it: the
/// function's definition (name, entry point, an <c>httpTrigger</c> binding), the route values as binding data, the
/// <see cref="HttpContext"/> in <see cref="Items"/> (where <c>GetHttpContext()</c> finds it), the request's services.
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    public TestFunctionContext(MethodInfo method, HttpContext http, string trigger = "httpTrigger")
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(http);
        FunctionDefinition = new Definition(method, trigger);
        BindingContext = new Binding(http.Request.RouteValues.ToDictionary(v => v.Key, v => (object?)Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase));
        InstanceServices = http.RequestServices;
        CancellationToken = http.RequestAborted;
        Items = new Dictionary<object, object> { ["HttpRequestContext"] = http };
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => null!;

    public override BindingContext BindingContext { get; }

    public override RetryContext RetryContext => null!;

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; }

    public override IInvocationFeatures Features { get; } = new InvocationFeatures();

    public override CancellationToken CancellationToken { get; }

    private sealed class Definition(MethodInfo method, string trigger) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters { get; } = [];

        public override string PathToAssembly { get; } = method.DeclaringType!.Assembly.Location;

        public override string EntryPoint { get; } = $"{method.DeclaringType!.FullName}.{method.Name}";

        public override string Id { get; } = method.GetCustomAttribute<FunctionAttribute>()!.Name;

        public override string Name { get; } = method.GetCustomAttribute<FunctionAttribute>()!.Name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", new Trigger(trigger));

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class Trigger(string type) : BindingMetadata
    {
        public override string Name => "trigger";

        public override string Type => type;

        public override BindingDirection Direction => BindingDirection.In;
    }

    private sealed class Binding(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = data;
    }

    private sealed class InvocationFeatures : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance) => _features[typeof(T)] = instance!;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
