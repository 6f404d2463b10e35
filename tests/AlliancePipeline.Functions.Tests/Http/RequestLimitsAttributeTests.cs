using System.Reflection;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Testing;

using DashboardFunction = AlliancePipeline.Functions.Dashboards.Dashboard;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>
/// Request limits declared on each function (<see cref="RequestLimitsAttribute"/>) and enforced by
/// <see cref="RequestLimitsMiddleware"/>: the limits are today's, a function without the attribute keeps the default, and
/// the middleware answers 413 and 415 from the attribute before the function runs.
/// </summary>
public sealed class RequestLimitsAttributeTests
{
    private static readonly RequestLimitsMiddleware Middleware = new(new FakeLogger<RequestLimitsMiddleware>());

    [Fact]
    public void The_functions_that_read_a_body_declare_today_s_limits_and_the_others_none()
    {
        var declared = typeof(Questionnaire).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null && m.GetCustomAttribute<RequestLimitsAttribute>() is not null)
            .ToDictionary(m => m.GetCustomAttribute<FunctionAttribute>()!.Name, m => m.GetCustomAttribute<RequestLimitsAttribute>()!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["ApplyStudy"] = "8388608: text/plain text/yaml text/x-yaml application/yaml application/x-yaml application/json +json",
            ["ImportCovariates"] = "2097152: text/csv text/plain",
            ["ImportMeetingDates"] = "2097152: text/csv text/plain",
            ["ImportOutcomes"] = "2097152: text/csv text/plain",
            ["ImportResponses"] = "8388608: text/csv text/plain",
            ["IssueKey"] = "4096: application/json +json",
            ["Questionnaire"] = "16384: application/x-www-form-urlencoded application/json +json",
            ["RecordMeetingDate"] = "4096: application/json +json",
            ["RecordCovariates"] = "4096: application/json +json",
            ["RecordOutcome"] = "4096: application/json +json",
            ["DyadConsoleAction"] = "2162688: application/x-www-form-urlencoded multipart/form-data",
            ["HandOverLink"] = "4096: application/json +json",
            ["SetClock"] = "1024: application/json +json",
        }.OrderBy(p => p.Key, StringComparer.Ordinal),
            declared.ToDictionary(d => d.Key, d => $"{d.Value.MaxBodyBytes}: {string.Join(' ', d.Value.MediaTypes!)}").OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(RequestLimits.DefaultMaxBodyBytes, RequestLimits.MaxBodyBytes("PauseReminders"));
        Assert.Null(RequestLimits.MediaTypes("PauseReminders"));
        Assert.Null(new RequestLimitsAttribute(10).MediaTypes);
    }

    [Fact]
    public async Task A_declared_body_over_the_attribute_s_limit_is_413_before_the_function_runs()
    {
        var call = EdgeInvocation.Of<RecordOutcome>("PUT").Body(new string(' ', DyadOperations.MaxJsonBytes + 1), "application/json");
        await Middleware.Invoke(call.Context, call.Next);
        Assert.False(call.Ran);
        Assert.Equal((413, "application/problem+json"), (call.Status, call.ContentType));
        Assert.Contains($"at most {DyadOperations.MaxJsonBytes} bytes", call.Text, StringComparison.Ordinal);

        var within = EdgeInvocation.Of<RecordOutcome>("PUT").Body(new string(' ', DyadOperations.MaxJsonBytes), "application/json");
        await Middleware.Invoke(within.Context, within.Next);
        Assert.True(within.Ran);
    }

    [Fact]
    public async Task A_function_without_the_attribute_takes_a_kibibyte_of_anything()
    {
        var small = EdgeInvocation.Of<DashboardFunction>("POST").Body(new string('x', 1024), "image/png");
        await Middleware.Invoke(small.Context, small.Next);
        Assert.True(small.Ran);
        var large = EdgeInvocation.Of<PauseReminders>("POST").Body(new string('x', 1025), null);
        await Middleware.Invoke(large.Context, large.Next);
        Assert.Equal((false, 413), (large.Ran, large.Status));
    }

    [Fact]
    public async Task An_undeclared_body_is_read_ahead_under_a_small_limit_refused_over_it_and_left_readable_within_it()
    {
        var over = EdgeInvocation.Of<Questionnaire>("POST").Body(new string('a', QuestionnaireService.MaxBodyBytes + 1), "application/x-www-form-urlencoded", declared: false);
        await Middleware.Invoke(over.Context, over.Next);
        Assert.Equal((false, 413), (over.Ran, over.Status));

        var within = EdgeInvocation.Of<Questionnaire>("POST").Body("item-1=5", "application/x-www-form-urlencoded", declared: false);
        await Middleware.Invoke(within.Context, within.Next);
        Assert.True(within.Ran);
        Assert.Equal("item-1=5", await new StreamReader(within.Request.Body).ReadToEndAsync());

        // A large limit is not read ahead: the function caps it as it reads.
        var study = EdgeInvocation.Of<ApplyStudy>("PUT").Body("id: x", "application/yaml", declared: false);
        await Middleware.Invoke(study.Context, study.Next);
        Assert.True(study.Ran);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-16")]
    public async Task A_body_of_a_type_the_attribute_does_not_name_is_415(string contentType)
    {
        var call = EdgeInvocation.Of<Questionnaire>("POST").Body("item-1=5", contentType);
        await Middleware.Invoke(call.Context, call.Next);
        Assert.Equal((false, 415, "application/problem+json"), (call.Ran, call.Status, call.ContentType));
    }
}
