using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>The request input checks every route shares: JSON read whole, body limits and media types per function.</summary>
public sealed class RequestInputTests
{
    [Theory]
    [InlineData("{\"\\ud800\":1}")]
    [InlineData("{\"now\":\"\\udfff\"}")]
    [InlineData("{\"items\":[1,[\"a\\ud800b\"]]}")]
    [InlineData("[{\"a\":{\"b\\udc00\":true}}]")]
    [InlineData("{")]
    [InlineData("")]
    public void A_body_that_is_not_JSON_or_holds_a_lone_surrogate_is_not_a_document(string text)
    {
        Assert.Equal(JsonBodyProblem.NotJson, JsonBody.Read(text, BodyJson.Default.MeetingDateBody).Problem);
    }

    [Fact]
    public void A_well_formed_body_is_read_and_its_strings_can_be_read_anywhere()
    {
        var body = JsonBody.Read("{\"date\":\"2026-02-01\",\"name\":\"\\ud83d\\ude00 ok\",\"n\":[1,2]}", BodyJson.Default.MeetingDateBody);
        Assert.True(body.IsRead);
        Assert.Equal("2026-02-01", body.Value.Date);
        Assert.Equal(["date", "name", "n"], body.Names);
    }

    [Fact]
    public void Each_route_that_reads_a_body_has_its_services_limit_and_the_others_a_small_default()
    {
        Assert.Equal(QuestionnaireService.MaxBodyBytes, RequestLimits.MaxBodyBytes("Questionnaire"));
        Assert.Equal(StudyAdminService.MaxBodyBytes, RequestLimits.MaxBodyBytes("ApplyStudy"));
        Assert.Equal(DyadOperations.MaxCsvBytes, RequestLimits.MaxBodyBytes("ImportOutcomes"));
        Assert.Equal(DyadOperations.MaxJsonBytes, RequestLimits.MaxBodyBytes("RecordOutcome"));
        Assert.Equal(RequestLimits.DefaultMaxBodyBytes, RequestLimits.MaxBodyBytes("Dashboard"));
        Assert.Equal(RequestLimits.DefaultMaxBodyBytes, RequestLimits.MaxBodyBytes("SomeRouteAddedLater"));
        Assert.Null(RequestLimits.MediaTypes("Dashboard"));
    }

    [Theory]
    [InlineData("Questionnaire", null)]
    [InlineData("Questionnaire", "application/x-www-form-urlencoded")]
    [InlineData("Questionnaire", "application/x-www-form-urlencoded; charset=UTF-8")]
    [InlineData("Questionnaire", "application/json")]
    [InlineData("Questionnaire", "application/problem+json")]
    [InlineData("ApplyStudy", "application/yaml")]
    [InlineData("ApplyStudy", "application/vnd.alliance.study+json")]
    [InlineData("ApplyStudy", "text/plain; charset=utf-8")]
    [InlineData("ImportOutcomes", "text/csv")]
    [InlineData("IssueKey", "application/json; charset=\"utf-8\"")]
    [InlineData("Dashboard", "image/png")]
    [InlineData("PauseReminders", "multipart/form-data; boundary=x")]
    public void A_body_of_a_type_the_route_reads_is_taken(string function, string? contentType)
    {
        Assert.Null(RequestLimits.RefuseMediaType(function, contentType));
    }

    [Theory]
    [InlineData("Questionnaire", "multipart/form-data; boundary=x")]
    [InlineData("Questionnaire", "text/plain")]
    [InlineData("Questionnaire", "application/json; charset=utf-16")]
    [InlineData("Questionnaire", "]]]")]
    [InlineData("ImportOutcomes", "application/json")]
    [InlineData("ImportOutcomes", "text/csv; charset=ebcdic")]
    [InlineData("IssueKey", "application/x-www-form-urlencoded")]
    [InlineData("RecordMeetingDate", "text/html")]
    [InlineData("ApplyStudy", "application/octet-stream")]
    public void A_body_of_another_type_or_charset_is_refused_with_the_reason(string function, string contentType)
    {
        var reason = RequestLimits.RefuseMediaType(function, contentType);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void The_study_source_media_type_is_a_json_type_the_apply_route_reads()
    {
        Assert.EndsWith("+json", StudySource.MediaType, StringComparison.Ordinal);
        Assert.Null(RequestLimits.RefuseMediaType("ApplyStudy", StudySource.MediaType));
    }
}
