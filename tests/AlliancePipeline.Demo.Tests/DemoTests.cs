using System.Net;
using AlliancePipeline.Emulators;

namespace AlliancePipeline.Demo.Tests;

/// <summary>
/// The demo (<c>tools/AlliancePipeline.Demo</c>), shortened to 12 dyads, on an Azurite and a MailDev of its own: it
/// applies the study through the API, plays the weeks on the app's clock answering invitations from MailDev through the
/// real form, records outcomes, runs Recluster and the report mail, and the links it prints open with the keys it prints
/// (each moving its key into the cookie first, as in a browser).
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_to_completion_and_its_links_open_with_its_keys()
    {
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var ports = EmulatorProcess.FreePorts(3);
        var output = Directory.CreateTempSubdirectory("alliance-demo").FullName;
        var progress = new StringWriter();
        var run = new DemoRun(new DemoOptions
        {
            ScriptRoot = DemoCommand.WorkerFolder(),
            OutputFolder = output,
            Dyads = 12,
            HttpPort = ports[0],
            MailDevSmtpPort = ports[1],
            MailDevWebPort = ports[2],
            SettingOverrides = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString },
            StepDays = 3,
            Progress = progress,
        });
        var (result, host) = await run.RunAsync(CancellationToken.None);
        await using (host)
        {
            Assert.Matches(@"^k = \d+: ", result.Summary);
            Assert.True(result.Invitations >= 36, progress.ToString()); // 11 active dyads x 3 meetings, and the clients
            Assert.True(result.Reminders > 0, "some raters answer only after a reminder");
            Assert.True(result.Answered > 0);
            Assert.Contains("<h1", await File.ReadAllTextAsync(result.LocalReport), StringComparison.Ordinal);
            Assert.Contains("Applied the demo study", progress.ToString(), StringComparison.Ordinal);

            // Each printed address opens as a browser opens it: 303 to the address without the key, which comes back in a cookie.
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
            async Task<HttpResponseMessage> OpenAsync(string printed)
            {
                using var first = await http.GetAsync(printed);
                Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
                var next = new Uri(new Uri(printed), first.Headers.Location!);
                Assert.DoesNotContain("key=", next.Query, StringComparison.Ordinal);
                using var request = new HttpRequestMessage(HttpMethod.Get, next);
                request.Headers.Add("Cookie", first.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
                return await http.SendAsync(request);
            }
            using (var report = await OpenAsync(result.ReportUrl))
            {
                Assert.Equal(HttpStatusCode.OK, report.StatusCode);
                Assert.Equal("text/html", report.Content.Headers.ContentType!.MediaType);
            }
            using (var withoutKey = await http.GetAsync(result.ReportUrl[..result.ReportUrl.IndexOf('?', StringComparison.Ordinal)]))
                Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
            using (var site = await OpenAsync(result.SiteDashboardUrl))
            {
                var siteDashboard = await site.Content.ReadAsStringAsync();
                Assert.Contains(DemoStudyFile.Sites[0].Name, siteDashboard, StringComparison.Ordinal);
                Assert.DoesNotContain(DemoStudyFile.Sites[1].Name, siteDashboard, StringComparison.Ordinal);
            }
            using (var admin = await OpenAsync(result.AdminDashboardUrl)) Assert.Equal(HttpStatusCode.OK, admin.StatusCode);

            // The report went to the study's researchers by mail, with the report attached.
            var mails = await http.GetStringAsync(result.MailDevUrl + "email");
            Assert.Contains("research.team@demo.example.org", mails, StringComparison.Ordinal);
            Assert.Contains("report.html", mails, StringComparison.Ordinal);
            // The French site's raters and coordinator read the study's French name; the others its English one.
            Assert.Contains("Alliance de travail en emploi accompagné (démo)", mails, StringComparison.Ordinal);
            Assert.Contains("Working alliance in supported employment (demo)", mails, StringComparison.Ordinal);

            // The invitations still open at the end (the dyads enrolled on the last day) open their form, as the demo says.
            var links = System.Text.Json.JsonDocument.Parse(mails).RootElement.EnumerateArray()
                .Where(m => m.GetProperty("subject").GetString() is { } subject && !subject.StartsWith("Reminder", StringComparison.Ordinal) && !subject.StartsWith("Rappel", StringComparison.Ordinal))
                .SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.GetProperty("text").GetString() ?? "", @"http://localhost:\d+/api/q/[A-Za-z0-9_-]+").Select(x => x.Value))
                .Distinct(StringComparer.Ordinal).ToList();
            var opened = 0;
            foreach (var link in links)
            {
                using var form = await http.GetAsync(link);
                if (form.StatusCode == HttpStatusCode.OK) opened++;
            }
            Assert.True(opened > 0, $"none of the {links.Count} invitation links in MailDev opens its form");

            var json = Path.Combine(output, "demo.json");
            await DemoCommand.WriteAsync(new StringWriter(), result, json, keepRunning: false);
            Assert.Contains("\"reportUrl\"", await File.ReadAllTextAsync(json), StringComparison.Ordinal);
        }
        Directory.Delete(output, recursive: true);
    }
}
