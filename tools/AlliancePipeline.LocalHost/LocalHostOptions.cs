namespace AlliancePipeline.LocalHost;

/// <summary>How to host a .NET isolated worker locally (what <c>func start</c> takes from its folder and flags).</summary>
public sealed class LocalHostOptions
{
    /// <summary>The default HTTP port, as Core Tools uses.</summary>
    public const int DefaultHttpPort = 7071;

    /// <summary>The worker's build output: the folder with <c>worker.config.json</c>, <c>functions.metadata</c> and <c>host.json</c>.</summary>
    public required string ScriptRoot { get; set; }

    /// <summary>
    /// The HTTP port on localhost; null: <c>Host.LocalHttpPort</c> of the settings file, else 7071; 0: a free port
    /// (see <see cref="FunctionsLocalHost.BaseAddress"/>).
    /// </summary>
    public int? HttpPort { get; set; }

    /// <summary>The settings file; default <c>&lt;ScriptRoot&gt;/local.settings.json</c> (missing: no values from a file).</summary>
    public string? SettingsFile { get; set; }

    /// <summary>App settings that win over the settings file and the environment (for the host's own lookups and the worker).</summary>
    public IDictionary<string, string?> SettingOverrides { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether to start Azurite (when <c>AzureWebJobsStorage</c> points at the emulator on this machine) and MailDev
    /// when nothing answers on their ports; what is started here is stopped with the host.
    /// </summary>
    public bool StartEmulators { get; set; } = true;

    /// <summary>Whether <see cref="StartEmulators"/> includes MailDev.</summary>
    public bool StartMailDev { get; set; } = true;

    /// <summary>MailDev's SMTP port.</summary>
    public int MailDevSmtpPort { get; set; } = Emulators.MailDev.DefaultSmtpPort;

    /// <summary>MailDev's web port.</summary>
    public int MailDevWebPort { get; set; } = Emulators.MailDev.DefaultWebPort;

    /// <summary>Where the host's and the worker's logs go; null: the console, with a prefix per source.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// The worker's HOME (where ASP.NET Core keeps its data-protection keys); default <c>.local/worker-home</c> of the
    /// repository, or a folder under the temp directory outside one.
    /// </summary>
    public string? WorkerHome { get; set; }

    /// <summary>How long the worker may take from process start to its functions loaded.</summary>
    public TimeSpan WorkerStartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the worker gets to stop after WorkerTerminate before it is killed.</summary>
    public TimeSpan WorkerShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before restarting a worker that died; doubled for each death in a row.</summary>
    public TimeSpan MinimumRestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before restarting a worker that died.</summary>
    public TimeSpan MaximumRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a received queue message stays hidden while it runs (null: the host's fixed 10 minutes; renewed every
    /// half of it). A message whose completion could not be written (storage down as it finished) comes back when its
    /// lease ends: fault tests shorten it so that happens within the test.
    /// </summary>
    public TimeSpan? QueueMessageLease { get; set; }
}
