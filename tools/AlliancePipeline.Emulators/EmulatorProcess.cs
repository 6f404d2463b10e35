using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AlliancePipeline.Emulators;

/// <summary>
/// A local stand-in for a cloud service (Azurite, MailDev) run from the repository's pinned npm tools
/// (<c>tools/emulators/node_modules/.bin</c>): started, awaited until its TCP ports answer, and stopped with its
/// children on dispose.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private EmulatorProcess(Process process, StringBuilder output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote to stdout and stderr so far (the last 16 KiB).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>
    /// Starts <c>node_modules/.bin/<paramref name="tool"/></c> of <paramref name="tools"/> with
    /// <paramref name="arguments"/> and waits until every port in <paramref name="ports"/> accepts a TCP connection on
    /// 127.0.0.1. Throws <see cref="InvalidOperationException"/> with the tool's output if it exits first or does not
    /// answer within <paramref name="startupTimeout"/>.
    /// </summary>
    public static async Task<EmulatorProcess> StartAsync(
        EmulatorTools tools,
        string tool,
        IEnumerable<string> arguments,
        IReadOnlyCollection<int> ports,
        TimeSpan startupTimeout,
        CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var executable = tools.BinPath(tool);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{tool} is not installed at {executable}: run 'npm ci' in {tools.Directory}.");
        }

        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = tools.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null) return;
            lock (output)
            {
                output.AppendLine(line);
                if (output.Length > 16 * 1024) output.Remove(0, output.Length - 16 * 1024);
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {executable}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new EmulatorProcess(process, output);
        try
        {
            var deadline = DateTime.UtcNow + startupTimeout;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{tool} exited with code {process.ExitCode} before its ports {string.Join(", ", ports)} answered. Output:\n{emulator.Output}");
                }

                if (await AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false)) return emulator;
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"{tool} did not answer on ports {string.Join(", ", ports)} within {startupTimeout.TotalSeconds:0} s. Output:\n{emulator.Output}");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether something accepts a TCP connection on 127.0.0.1:<paramref name="port"/> within a second.</summary>
    public static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Ports on 127.0.0.1 that were free a moment ago (the operating system's choice of ephemeral ports).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(System.Net.IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>Whether every port answers.</summary>
    public static async Task<bool> AllAnswerAsync(IEnumerable<int> ports, CancellationToken cancellationToken = default)
    {
        foreach (var port in ports)
        {
            if (!await AnswersAsync(port, cancellationToken).ConfigureAwait(false)) return false;
        }

        return true;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (<c>TERM</c>, <c>KILL</c>, …, as <c>kill -s</c> names it) to the process and waits
    /// up to <paramref name="timeout"/> for it to exit. Returns whether it exited. Linux and macOS only.
    /// </summary>
    public async Task<bool> SignalAsync(string signal, TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill."))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the process and its children.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or refusing to die within 10 s: nothing more a dispose can do.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
