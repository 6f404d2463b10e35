using System.CommandLine;
using System.Text;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// <c>alliance study apply FILE [--dry-run]</c>: checks a study file here (every error with its file, line and field,
/// before anything is sent), then sends it with the instrument files it references to the app
/// (<c>PUT /api/manage/studies/{id}</c>, admin key) and prints what changed.
/// </summary>
public static class StudyCommand
{
    /// <summary>Creates <c>study</c> with its <c>apply</c> subcommand.</summary>
    public static Command Create()
    {
        var options = new AppOptions();
        var file = new Argument<FileInfo>("FILE") { Description = "The study file (YAML or JSON); see docs/study-file.md." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what applying would change; write nothing." };
        var apply = options.AddTo(new Command("apply", "Apply a study file: enrol its dyads, plan their assessments, report what changed.") { file, dryRun });
        apply.SetAction((parse, ct) => CommandRunner.RunAsync(parse, "study apply", options, async (api, output) =>
        {
            var path = parse.GetRequiredValue(file);
            if (Read(path, out var source) is { } problem)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"alliance study apply: {problem}").ConfigureAwait(false);
                return 1;
            }
            var parsed = StudyFile.Parse(source!.Text, source.Source, source.ReadFile);
            if (!parsed.IsValid)
            {
                var error = parse.InvocationConfiguration.Error;
                await error.WriteLineAsync($"alliance study apply: {path.Name} has {parsed.Errors.Length} error(s); nothing was sent.").ConfigureAwait(false);
                foreach (var e in parsed.Errors) await error.WriteLineAsync("  " + e).ConfigureAwait(false);
                return 1;
            }
            var query = parse.GetValue(dryRun) ? "?dryRun=true" : "";
            var answer = await api.SendAsync(HttpMethod.Put, $"api/manage/studies/{parsed.Definition.Id}{query}",
                new StringContent(source.ToJson(), Encoding.UTF8, StudySource.MediaType), ct).ConfigureAwait(false);
            if (!answer.Succeeded) return await CommandRunner.RefusedAsync(parse, "study apply", answer).ConfigureAwait(false);
            var report = answer.Read<StudyApplyReport>();
            await output.WriteLineAsync($"{(report.DryRun ? "Dry run: " : "")}study {report.StudyId}: {report.Summary}").ConfigureAwait(false);
            foreach (var change in report.Changes) await output.WriteLineAsync("  " + change.Text).ConfigureAwait(false);
            foreach (var note in report.Notes) await output.WriteLineAsync("  note: " + note).ConfigureAwait(false);
            foreach (var warning in report.Warnings) await output.WriteLineAsync("  warning: " + warning).ConfigureAwait(false);
            return 0;
        }));
        return new Command("study", "Study files: apply one to the app.") { apply };
    }

    /// <summary>
    /// Reads a study file and every instrument file it references (<c>file:</c>, relative to it) into a
    /// <see cref="StudySource"/>; null, or what went wrong in words.
    /// </summary>
    public static string? Read(FileInfo path, out StudySource? source)
    {
        source = null;
        string text;
        try
        {
            text = File.ReadAllText(path.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path.Name} cannot be read: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}.";
        }
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var folder = path.DirectoryName ?? ".";
        string? ReadRelative(string relative)
        {
            var full = Path.GetFullPath(Path.Combine(folder, relative));
            if (!File.Exists(full)) return null;
            return files[relative] = File.ReadAllText(full);
        }
        // Parsing once gathers the referenced files (the delegate records what it read).
        StudyFile.Parse(text, path.Name, ReadRelative);
        source = new StudySource { Source = path.Name, Text = text, Files = files };
        return null;
    }
}
