using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.EndToEnd.Tests;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Hostile.Tests.Generator;
using AlliancePipeline.Hostile.Tests.Infrastructure;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// The limits one at a time, through the host: 413 before any work (with storage frozen, so any work would hang), 415
/// for bodies a route does not read, JSON that parses but cannot be read (lone surrogates, numbers for strings) a 400,
/// and headers as large as the host takes reaching the app.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class InputLimitTests(HostileFixture app)
{
    [Fact]
    public async Task A_body_over_a_routes_limit_is_refused_413_before_any_work_on_every_route_even_with_storage_frozen()
    {
        var routes = PublicRoute.Load(PipelineFixture.WorkerFolder);
        var link = (await app.LinkAsync("d-a5-m3-practitioner"))["/api/q/".Length..];
        var answers = new List<(PublicRoute Route, string Method, string How, RawResponse Answer)>();
        using (Frozen(app.Azurite.ProcessId!.Value))
        {
            // The control: a request that does read storage gets no answer while it is frozen.
            using (var control = new RawHttpConnection(app.Endpoint))
                Assert.Equal(0, (await control.SendAsync(Request("GET", $"/api/studies/{HostileFixture.StudyId}/completion"), TimeSpan.FromSeconds(1.5))).Status);
            foreach (var route in routes)
            {
                var values = route.Parameters.ToDictionary(p => p, p => p == "token" ? link : p == "studyId" ? HostileFixture.StudyId : "x");
                foreach (var method in route.Methods.Where(m => m != "HEAD"))
                {
                    var limit = RequestLimits.MaxBodyBytes(route.Function);
                    var declared = Request(method, route.Path(values));
                    declared.Headers.Add(new("Content-Length", Encoding.ASCII.GetBytes((limit + 1).ToString(CultureInfo.InvariantCulture))));
                    using (var connection = new RawHttpConnection(app.Endpoint))
                        answers.Add((route, method, "declared", await connection.SendAsync(declared, TimeSpan.FromSeconds(20))));
                    if (limit > RequestLimits.ReadAheadBytes) continue;
                    var chunked = Request(method, route.Path(values));
                    chunked.Headers.Add(new("Transfer-Encoding", "chunked"u8.ToArray()));
                    var payload = new string('a', limit + 1);
                    chunked.Body = [Encoding.ASCII.GetBytes($"{payload.Length:x}\r\n{payload}\r\n0\r\n\r\n")];
                    using (var connection = new RawHttpConnection(app.Endpoint))
                        answers.Add((route, method, "chunked", await connection.SendAsync(chunked, TimeSpan.FromSeconds(20))));
                }
            }
        }

        Assert.All(answers, a =>
        {
            Assert.True(a.Answer.Status == 413, $"{a.Method} {a.Route.Function} ({a.How}): {a.Answer.Status} {a.Answer.Error} {a.Answer.Text}");
            Assert.Equal("application/problem+json", a.Answer.MediaType);
            Assert.Equal(0, a.How == "declared" ? a.Answer.BodyBytesSent : 0);
        });
        Assert.Contains(answers, a => a.Route.Function == "Questionnaire" && a.How == "chunked");
        Assert.Contains(answers, a => a.Route.Function == "ApplyStudy");
    }

    [Theory]
    [InlineData("POST", "questionnaire", "multipart/form-data; boundary=x", "--x--")]
    [InlineData("POST", "questionnaire", "application/json; charset=utf-16", "{}")]
    [InlineData("POST", "questionnaire", "text/plain", "item-1=5")]
    [InlineData("PUT", "api/studies/hostile-study/dyads/d-zz1/outcome", "text/html", "<b>")]
    [InlineData("POST", "api/studies/hostile-study/outcomes", "application/json", "{}")]
    [InlineData("POST", "api/keys", "application/x-www-form-urlencoded", "role=admin")]
    [InlineData("PUT", "api/manage/studies/hostile-study", "application/octet-stream", "id: x")]
    public async Task A_body_of_a_type_the_route_does_not_read_is_refused_415_before_any_work(string method, string path, string contentType, string body)
    {
        if (path == "questionnaire") path = (await app.LinkAsync("d-a5-m3-practitioner"))[1..];
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var answer = await app.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("PUT", "api/manage/clock", "{\"now\":5}")]
    [InlineData("PUT", "api/manage/clock", "[1]")]
    [InlineData("PUT", "api/manage/clock", "{\"now\":\"\\udfff\"}")]
    [InlineData("PUT", "api/manage/clock", "{\"now\":\"9999-12-31T23:59:59Z\"}")]
    [InlineData("PUT", "api/manage/clock", "{\"now\":\"0001-01-01T00:00:00+14:00\"}")]
    [InlineData("PUT", "api/studies/hostile-study/dyads/d-a5/meetings/1", "{\"date\":\"\\ud800\"}")]
    [InlineData("PUT", "api/studies/hostile-study/dyads/d-a5/meetings/1", "{\"\\ud800\":1}")]
    [InlineData("PUT", "api/studies/hostile-study/dyads/d-a5/outcome", "{\"employed\":true,\"date\":\"\\udfff\"}")]
    [InlineData("PUT", "api/studies/hostile-study/dyads/d-a5/outcome", "{\"\\ud800\":1}")]
    [InlineData("POST", "api/keys", "{\"\\ud800\":1}")]
    [InlineData("PUT", "api/manage/studies/hostile-study", "{\"id\":\"\\ud800\"}")]
    [InlineData("POST", "questionnaire", "{\"\\ud800\":1}")]
    [InlineData("POST", "questionnaire", "{\"items\":[\"\\udc00\"]}")]
    public async Task JSON_that_parses_but_cannot_be_read_is_a_400_never_a_500(string method, string path, string body)
    {
        if (path == "questionnaire") path = (await app.LinkAsync("d-a5-m3-practitioner"))[1..];
        var clock = await app.AppNowAsync();
        using var answer = await app.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True((await app.AppNowAsync() - clock).Duration() < TimeSpan.FromMinutes(1), "the clock did not move");
    }

    [Fact]
    public async Task Headers_as_large_as_the_host_takes_reach_the_app_and_larger_ones_are_431_at_the_host()
    {
        // Just under the host's 32 KiB of headers: the worker's own server takes it too (with the header the host adds).
        var large = Request("GET", "/api/keys", withKey: false);
        large.Headers.Add(new("Authorization", Encoding.ASCII.GetBytes("Bearer " + new string('k', 32 * 1024 - 300))));
        var many = Request("GET", "/api/keys");
        for (var i = 0; i < 96; i++) many.Headers.Add(new($"X-Many-{i}", "1"u8.ToArray()));
        var tooLarge = Request("GET", "/api/keys", withKey: false);
        tooLarge.Headers.Add(new("Authorization", Encoding.ASCII.GetBytes("Bearer " + new string('k', 40 * 1024))));
        using var connection = new RawHttpConnection(app.Endpoint);
        Assert.Equal(401, (await connection.SendAsync(large, TimeSpan.FromSeconds(10))).Status);
        Assert.Equal(200, (await connection.SendAsync(many, TimeSpan.FromSeconds(10))).Status);
        Assert.Equal(431, (await connection.SendAsync(tooLarge, TimeSpan.FromSeconds(10))).Status);
    }

    private RawRequest Request(string method, string path, bool withKey = true)
    {
        var request = new RawRequest { Method = method, Target = Encoding.ASCII.GetBytes(path) };
        request.Headers.Add(new("Host", Encoding.ASCII.GetBytes($"127.0.0.1:{app.Endpoint.Port}")));
        // A guess from the good address would count against it: the huge-key guess comes from an address of its own.
        request.Headers.Add(new("X-Forwarded-For", Encoding.ASCII.GetBytes(withKey ? HostileFixture.GoodAddress : "203.0.113.99")));
        if (withKey) request.Headers.Add(new("Authorization", Encoding.ASCII.GetBytes("Bearer " + app.Keys["admin"])));
        return request;
    }

    /// <summary>Stops <paramref name="pid"/> (SIGSTOP) until disposed (SIGCONT): storage that never answers.</summary>
    private static IDisposable Frozen(int pid)
    {
        Signal("STOP", pid);
        return new Thaw(pid);
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private sealed class Thaw(int pid) : IDisposable
    {
        public void Dispose() => Signal("CONT", pid);
    }
}
