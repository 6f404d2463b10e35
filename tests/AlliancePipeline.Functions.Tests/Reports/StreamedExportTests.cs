using System.Net;
using System.Text;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The exports written as they are made (issue #19): each streamed format is byte for byte the file as a whole (the FHIR
/// one as the SDK serializes the whole bundle), reaches its destination in many writes, counts its responses; and a
/// failure midway aborts the connection (the client never gets a short file that looks whole) and still reports the rows
/// that went out, for the audit.
/// </summary>
public sealed class StreamedExportTests
{
    /// <summary>The paper-like study with its dyads repeated under new codes: enough rows for many flushes.</summary>
    private static ReportInput Large()
    {
        var input = ReportFixtures.PaperLikeInput();
        StoredResponse[] responses = [.. Enumerable.Range(0, 40).SelectMany(k => input.Responses.Select(r => r with { DyadId = $"{r.DyadId}-{k:00}", AssessmentId = $"{r.AssessmentId}-{k:00}" }))];
        return input with { Responses = responses };
    }

    public static TheoryData<string> Formats => ["csv", "json", "fhir"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task An_export_streamed_is_the_whole_file_byte_for_byte_and_arrives_in_many_writes(string format)
    {
        var input = Large();
        var whole = format switch
        {
            "csv" => ResponseTables.ResponsesCsv(input),
            "json" => ResponseExport.Json(input),
            _ => FhirExport.ToJson(FhirExport.Study(input)),
        };
        var destination = new CountingStream();
        var progress = new ExportProgress();
        Func<Stream, ExportProgress, CancellationToken, Task> write = format switch
        {
            "csv" => (s, p, t) => ResponseTables.WriteResponsesCsvAsync(input, s, p.Row, t),
            "json" => (s, p, t) => ResponseExport.WriteJsonAsync(input, s, p.Row, t),
            _ => (s, p, t) => FhirExport.WriteStudyAsync(input, s, p.Row, t),
        };
        await write(destination, progress, default);

        Assert.Equal(whole, Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(input.Responses.Count, progress.Rows);
        // Written as made: the largest single write is a small part of the file.
        Assert.True(destination.Writes > 3, $"{destination.Writes} writes");
        Assert.True(destination.LargestWrite < whole.Length / 5, $"largest write {destination.LargestWrite} of {whole.Length}");
    }

    /// <summary>
    /// Any failure once the headers went out aborts the connection, so the client never waits on a file that will not end:
    /// a storage failure, and running out of memory (rethrown, not swallowed).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failure_midway_aborts_the_connection_and_reports_the_rows_that_went_out_as_incomplete(bool outOfMemory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The out-of-memory case is rethrown to the server, which would log it: an expected failure, kept off the console.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        var ended = new TaskCompletionSource<(int Rows, bool Complete)>();
        var export = new ExportStream("x-responses.csv", "text/csv; charset=utf-8", "csv", async (s, p, t) =>
        {
            var row = Encoding.UTF8.GetBytes(new string('x', 1023) + "\n");
            for (var i = 0; i < 200; i++)
            {
                await s.WriteAsync(row, t);
                p.Row();
            }
            await s.FlushAsync(t);
            throw outOfMemory ? new OutOfMemoryException("heap limit") : (Exception)new InvalidOperationException("storage went away");
        });
        app.MapGet("/export", () => HttpResults.Streamed(export, ReportAccess.ReportSecurityPolicy, (rows, complete) =>
        {
            ended.TrySetResult((rows, complete));
            return Task.CompletedTask;
        }, NullLogger.Instance));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await client.GetAsync("/export", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal("attachment; filename=\"x-responses.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());
        Assert.Equal((200, false), await ended.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>A memory stream that counts its writes and, as an HTTP body, refuses synchronous ones.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count(count, () => base.Write(buffer, offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length, () => base.Write(buffer.ToArray(), 0, buffer.Length));
            return ValueTask.CompletedTask;
        }

        private void Count(int count, Action write)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, count);
            write();
        }
    }
}
