// The Firely SDK annotates every element as nullable; these tests check the values are there.
#nullable disable warnings
using System.Text.Json;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Exports;
using Hl7.Fhir.Model;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>The FHIR R4 export parsed back with the Firely SDK.</summary>
public sealed class FhirExportTests
{
    private static Bundle ParseBundle(string json) => JsonSerializer.Deserialize<Bundle>(json, FhirExport.JsonOptions)!;

    [Fact]
    public void Each_shipped_instrument_is_a_Questionnaire_with_its_items_answer_options_and_languages()
    {
        var bundle = ParseBundle(FhirExport.ToJson(FhirExport.ShippedQuestionnaires()));
        var questionnaires = bundle.Entry.Select(e => (Questionnaire)e.Resource).ToArray();
        Assert.Equal(InstrumentCatalog.Shipped.ShippedIds.Order(StringComparer.Ordinal), questionnaires.Select(q => q.Id));
        foreach (var q in questionnaires)
        {
            var instrument = InstrumentCatalog.Shipped.Get(q.Id);
            Assert.Equal(FhirExport.CanonicalUrl(q.Id), q.Url);
            Assert.Equal(instrument.Version, q.Version);
            Assert.Equal(PublicationStatus.Active, q.Status);
            var questions = q.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).ToArray();
            Assert.Equal(instrument.Items.Select(i => $"item-{i.Number}"), questions.Select(i => i.LinkId));
            Assert.Equal(["score-goal", "score-task", "score-bond", "score-global"], q.Item.Where(i => i.ReadOnly == true).Select(i => i.LinkId));
            foreach (var (question, item) in questions.Zip(instrument.Items))
            {
                Assert.Equal(item.Text.Get("en"), question.Text);
                var french = question.TextElement.Extension.Single(x => x.Url == FhirExport.TranslationExtension);
                Assert.Equal("fr", ((Code)french.GetExtension("lang").Value).Value);
                Assert.Equal(item.Text.Get("fr"), ((FhirString)french.GetExtension("content").Value).Value);
                Assert.Equal(instrument.Scale.Max - instrument.Scale.Min + 1, question.AnswerOption.Count);
                Assert.Equal(item.Reverse, question.Code.Any(c => c.Code == "reverse"));
                Assert.Equal(item.Subscale, question.Code.First().Code);
            }
            var first = (Coding)questions[0].AnswerOption[0].Value;
            Assert.Equal(instrument.Scale.Anchors[0].Label.Get("en"), first.Display);
        }
    }

    [Fact]
    public void Each_response_is_a_QuestionnaireResponse_linked_to_its_Questionnaire_with_its_answers_and_scores()
    {
        var input = ReportFixtures.PaperLikeInput();
        var json = FhirExport.ToJson(FhirExport.Study(input));
        Assert.DoesNotContain("@", json, StringComparison.Ordinal); // no address of anyone
        var bundle = ParseBundle(json);
        var questionnaires = bundle.Entry.Select(e => e.Resource).OfType<Questionnaire>().ToDictionary(q => $"{q.Url}|{q.Version}");
        Assert.Equal(["wai-s-client", "wai-s-practitioner"], questionnaires.Values.Select(q => q.Id).Order(StringComparer.Ordinal));
        var responses = bundle.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().ToArray();
        Assert.Equal(input.Responses.Count, responses.Length);
        foreach (var qr in responses)
        {
            var stored = input.Responses.Single(r => r.AssessmentId == qr.Id);
            var q = questionnaires[qr.Questionnaire];
            Assert.Equal("wai-s-practitioner", q.Id);
            Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.Completed, qr.Status);
            Assert.Equal(stored.DyadId, qr.Subject.Identifier.Value);
            Assert.Equal(stored.Meeting, ((Integer)qr.GetExtension(FhirExport.MeetingExtension).Value).Value);
            Assert.StartsWith("p", qr.Author.Identifier.Value, StringComparison.Ordinal);
            var answers = qr.Item.Where(i => i.LinkId.StartsWith("item-", StringComparison.Ordinal)).ToArray();
            Assert.Equal(q.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).Select(i => i.LinkId), answers.Select(a => a.LinkId));
            Assert.Equal(stored.Items.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)), answers.Select(a => ((Coding)a.Answer.Single().Value).Code));
            Assert.Equal((decimal)stored.Global, ((FhirDecimal)qr.Item.Single(i => i.LinkId == "score-global").Answer.Single().Value).Value);
        }
    }
}
