using System.Reflection;
using System.Text;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>One invocation of a function class's <c>Run</c> for the middleware tests: its context, its request, what was answered.</summary>
public sealed class EdgeInvocation
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().BuildServiceProvider();

    private EdgeInvocation(MethodInfo method, string trigger)
    {
        Http = new DefaultHttpContext { RequestServices = Services };
        Http.Response.Body = new MemoryStream();
        Method = method;
        Trigger = trigger;
    }

    public DefaultHttpContext Http { get; }

    public HttpRequest Request => Http.Request;

    private MethodInfo Method { get; }

    private string Trigger { get; }

    private TestFunctionContext? _context;

    /// <summary>The function context, made once the request is set up (route values become binding data then).</summary>
    public TestFunctionContext Context => _context ??= new TestFunctionContext(Method, Http, Trigger);

    /// <summary>Whether the function itself ran.</summary>
    public bool Ran { get; private set; }

    /// <summary>A next that records that the function ran.</summary>
    public Task Next(FunctionContext context)
    {
        Ran = true;
        return Task.CompletedTask;
    }

    public static EdgeInvocation Of<TFunction>(string method = "GET", string trigger = "httpTrigger")
    {
        var invocation = new EdgeInvocation(typeof(TFunction).GetMethod("Run")!, trigger);
        invocation.Request.Method = method;
        return invocation;
    }

    public EdgeInvocation Route(string name, string value)
    {
        Request.RouteValues[name] = value;
        return this;
    }

    public EdgeInvocation Header(string name, string value)
    {
        Request.Headers[name] = value;
        return this;
    }

    public EdgeInvocation Body(string text, string? contentType, bool declared = true)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Request.Body = new MemoryStream(bytes);
        if (declared) Request.ContentLength = bytes.Length;
        else Request.Headers.TransferEncoding = "chunked";
        if (contentType is not null) Request.ContentType = contentType;
        return this;
    }

    public int Status => Http.Response.StatusCode;

    public string? ContentType => Http.Response.ContentType;

    public string Text => Encoding.UTF8.GetString(((MemoryStream)Http.Response.Body).ToArray());
}
