using System.Diagnostics;

namespace AlliancePipeline.Emulators;

/// <summary>
/// The repository's pinned emulator tools: <c>tools/emulators</c> with its <c>package.json</c> and
/// <c>package-lock.json</c>; <c>npm ci</c> installs them when <c>node_modules</c> is missing.
/// </summary>
public sealed class EmulatorTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private EmulatorTools(string repositoryRoot)
    {
        RepositoryRoot = repositoryRoot;
        Directory = Path.Combine(repositoryRoot, "tools", "emulators");
    }

    /// <summary>The repository root (the folder holding <c>tools/emulators/package.json</c>).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The <c>tools/emulators</c> folder.</summary>
    public string Directory { get; }

    /// <summary>The path of an npm-installed command (<c>node_modules/.bin/…</c>, <c>.cmd</c> on Windows).</summary>
    public string BinPath(string tool)
        => Path.Combine(Directory, "node_modules", ".bin", OperatingSystem.IsWindows() ? tool + ".cmd" : tool);

    /// <summary>
    /// Finds the repository by walking up from the current directory, then from <see cref="AppContext.BaseDirectory"/>,
    /// to a folder containing <c>tools/emulators/package.json</c>.
    /// </summary>
    public static EmulatorTools Locate()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "tools", "emulators", "package.json")))
                {
                    return new EmulatorTools(dir.FullName);
                }
            }
        }

        throw new InvalidOperationException($"No folder containing tools/emulators/package.json above '{Environment.CurrentDirectory}' or '{AppContext.BaseDirectory}': run from inside the repository.");
    }

    /// <summary>
    /// Runs <c>npm ci</c> in <see cref="Directory"/> if its install is missing or incomplete (logged through
    /// <paramref name="log"/>). Concurrent callers, in this process or others, wait for one install.
    /// </summary>
    public Task EnsureInstalledAsync(Action<string>? log = null, CancellationToken cancellationToken = default)
        => EnsureNpmInstallAsync(Directory, Path.Combine(RepositoryRoot, ".local"), log, cancellationToken);

    /// <summary>
    /// Runs <c>npm ci</c> in <paramref name="directory"/> unless <c>node_modules/.package-lock.json</c> (written by npm
    /// when an install completes) is there, holding a lock file in <paramref name="lockDirectory"/> so that parallel
    /// test runs never install into the same folder at once.
    /// </summary>
    public static async Task EnsureNpmInstallAsync(string directory, string lockDirectory, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        static bool Installed(string dir) => File.Exists(Path.Combine(dir, "node_modules", ".package-lock.json"));
        if (Installed(directory)) return;
        await InstallLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            System.IO.Directory.CreateDirectory(lockDirectory);
            var lockPath = Path.Combine(lockDirectory, "npm-ci-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(directory))))[..16] + ".lock");
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (true)
            {
                try
                {
                    await using var fileLock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                    if (Installed(directory)) return;
                    log?.Invoke($"{directory}/node_modules is missing or incomplete: running 'npm ci'.");
                    await NpmCiAsync(directory, log, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Another process is installing: wait for it.
                    await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs <c>npm ci</c> in <paramref name="directory"/>; throws with npm's output if it fails.</summary>
    public static async Task NpmCiAsync(string directory, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("ci");
        info.ArgumentList.Add("--no-audit");
        info.ArgumentList.Add("--no-fund");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start npm.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        log?.Invoke(output.Trim());
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'npm ci' in {directory} failed with exit code {process.ExitCode}:\n{output}");
        }
    }
}
