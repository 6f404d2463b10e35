using System.Reflection;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Clock;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Reports;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;

using DashboardFunction = AlliancePipeline.Functions.Dashboards.Dashboard;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>
/// Access declared on each function (<see cref="KeyAccessAttribute"/>) and checked by one middleware that picks the
/// functions by it: which functions declare what, what each permission lets through, how refusals are answered, and that
/// the function only runs, with its caller, once the key has passed. Without storage: no key is ever looked up here.
/// </summary>
public sealed class KeyAccessTests
{
    private static readonly KeyAuthentication Authentication = new(
        new AccessKeys(new TableServiceClient("UseDevelopmentStorage=true"), AccessClock.System), new FailedAttemptLimiter(AccessClock.System), NullLogger<KeyAuthentication>.Instance);

    private static IEnumerable<(string Name, MethodInfo Method)> HttpFunctions() =>
        typeof(Questionnaire).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null && m.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
            .Select(m => (m.GetCustomAttribute<FunctionAttribute>()!.Name, m));

    [Fact]
    public void Every_HTTP_function_but_the_raters_links_declares_its_access_and_none_checks_a_key_itself()
    {
        var declared = HttpFunctions().ToDictionary(f => f.Name, f => f.Method.GetCustomAttribute<KeyAccessAttribute>() is { } a ? $"{a.Permission}/{a.RefuseAs}" : "open");
        Assert.Equal(new Dictionary<string, string>
        {
            ["Questionnaire"] = "open",
            ["PauseReminders"] = "open",
            ["Dashboard"] = "Coordinate/Page",
            ["DyadConsoleAction"] = "Coordinate/Page",
            ["DyadSchedule"] = "Coordinate/Asked",
            ["Completion"] = "ReadCompletion/Navigation",
            ["CloseAlert"] = "Coordinate/Asked",
            ["StudyReports"] = "ReadReports/File",
            ["ExportResponses"] = "ReadReports/Problem",
            ["ReclusterStudy"] = "CoordinateStudy/Problem",
            ["ApplyStudy"] = "Administer/Problem",
            ["SetClock"] = "Administer/Problem",
            ["RunStudyTimer"] = "Administer/Problem",
            ["IssueKey"] = "Administer/Problem",
            ["ListKeys"] = "Administer/Problem",
            ["RevokeKey"] = "Administer/Problem",
            ["RecordMeetingDate"] = "Coordinate/Problem",
            ["ImportCovariates"] = "Coordinate/Problem",
            ["ImportMeetingDates"] = "Coordinate/Problem",
            ["RecordCovariates"] = "Coordinate/Problem",
            ["RecordOutcome"] = "Coordinate/Problem",
            ["ImportOutcomes"] = "Coordinate/Problem",
            ["ImportResponses"] = "CoordinateStudy/Problem",
            ["ReissueLink"] = "Coordinate/Problem",
            ["HandOverLink"] = "Coordinate/Problem",
            ["WithdrawDyad"] = "Coordinate/Problem",
        }.OrderBy(p => p.Key, StringComparer.Ordinal), declared.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.All(HttpFunctions(), f => Assert.DoesNotContain(f.Method.DeclaringType!.GetConstructors().SelectMany(c => c.GetParameters()),
            p => p.ParameterType == typeof(KeyAuthentication)));
    }

    [Theory]
    // admin, study key of s, site key of s/x, researcher of s, study key of another study
    [InlineData(KeyPermission.Administer, "yes no no no no")]
    [InlineData(KeyPermission.Coordinate, "yes yes yes no no")]
    [InlineData(KeyPermission.CoordinateStudy, "yes yes no no no")]
    [InlineData(KeyPermission.ReadReports, "yes yes no yes no")]
    [InlineData(KeyPermission.ReadCompletion, "yes yes yes yes no")]
    public void Each_permission_lets_through_the_keys_today_s_checks_let_through(KeyPermission permission, string expected)
    {
        AccessScope[] scopes = [AccessScope.Admin, AccessScope.ForStudy("s"), AccessScope.ForSite("s", "x"), AccessScope.ForResearcher("s"), AccessScope.ForStudy("t")];
        var access = new KeyAccessAttribute(permission);
        Assert.Equal(expected, string.Join(' ', scopes.Select(s => access.Allows(s, "s") ? "yes" : "no")));
    }

    [Fact]
    public async Task A_function_without_key_access_runs_untouched_and_has_no_caller()
    {
        var call = EdgeInvocation.Of<Questionnaire>().Route("token", "x");
        Assert.False(KeyAccessMiddleware.Applies(call.Context));
        await new KeyAccessMiddleware(Authentication).Invoke(call.Context, call.Next);
        Assert.True(call.Ran);
        Assert.False(call.Context.HasCaller());
        Assert.Throws<InvalidOperationException>(() => call.Context.GetCaller());
    }

    [Theory]
    [InlineData(typeof(DashboardFunction), null, null, "text/html; charset=utf-8")]
    [InlineData(typeof(Completion), null, null, "application/problem+json")]
    [InlineData(typeof(CloseAlert), null, null, "text/html; charset=utf-8")]
    [InlineData(typeof(CloseAlert), "application/json", null, "application/problem+json")]
    [InlineData(typeof(StudyReports), null, "report.html", "text/html; charset=utf-8")]
    [InlineData(typeof(StudyReports), null, "responses.csv", "application/problem+json")]
    [InlineData(typeof(SetClock), null, null, "application/problem+json")]
    public async Task A_keyed_function_does_not_run_without_a_key_and_is_refused_as_its_attribute_says(Type function, string? accept, string? file, string contentType)
    {
        var call = (EdgeInvocation)typeof(EdgeInvocation).GetMethod(nameof(EdgeInvocation.Of))!.MakeGenericMethod(function).Invoke(null, ["GET", "httpTrigger"])!;
        call.Route("studyId", "study-a");
        if (file is not null) call.Route("run", "latest").Route("file", file);
        if (accept is not null) call.Header("Accept", accept);
        Assert.True(KeyAccessMiddleware.Applies(call.Context));
        await new KeyAccessMiddleware(Authentication).Invoke(call.Context, call.Next);
        Assert.False(call.Ran);
        Assert.Equal(401, call.Status);
        Assert.Equal(contentType, call.ContentType);
        Assert.StartsWith("Bearer realm=\"alliance-pipeline\"", call.Http.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(call.Context.HasCaller());
    }

    [Fact]
    public async Task A_key_given_twice_is_400_before_any_lookup()
    {
        var call = EdgeInvocation.Of<Completion>().Route("studyId", "study-a").Header("Authorization", "Bearer a");
        call.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?key=b");
        await new KeyAccessMiddleware(Authentication).Invoke(call.Context, call.Next);
        Assert.False(call.Ran);
        Assert.Equal(400, call.Status);
        Assert.Contains("not both", call.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_attributes_are_found_from_the_entry_point_the_worker_names_and_unknown_ones_have_none()
    {
        Assert.Equal(KeyPermission.Coordinate, FunctionAttributes.Get<KeyAccessAttribute>("AlliancePipeline.Functions.Dashboards.Dashboard.Run")!.Permission);
        Assert.Same(FunctionAttributes.Get<KeyAccessAttribute>("AlliancePipeline.Functions.Dashboards.Dashboard.Run"),
            FunctionAttributes.Get<KeyAccessAttribute>("AlliancePipeline.Functions.Dashboards.Dashboard.Run"));
        Assert.Null(FunctionAttributes.Get<KeyAccessAttribute>("AlliancePipeline.Functions.Questionnaires.Questionnaire.Run"));
        Assert.Null(FunctionAttributes.Get<KeyAccessAttribute>("No.Such.Function.Run"));
        Assert.Null(FunctionAttributes.Get<KeyAccessAttribute>("Run"));
        Assert.Equal("AlliancePipeline.Functions.Dashboards.Dashboard.Run", FunctionAttributes.EntryPoint(typeof(DashboardFunction).GetMethod("Run")!));
        Assert.Equal(KeyPermission.Administer, FunctionAttributes.ForFunction<KeyAccessAttribute>("IssueKey")!.Permission);
    }
}
