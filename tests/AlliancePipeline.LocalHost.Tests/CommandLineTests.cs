namespace AlliancePipeline.LocalHost.Tests;

/// <summary>
/// The local host's command line (<see cref="LocalHostCommand"/>): the options it reads into
/// <see cref="LocalHostOptions"/>, its help, and exit code 64 with the options on standard error for a wrong option.
/// </summary>
public sealed class CommandLineTests
{
    private static readonly string[] OptionNames =
        ["--script-root", "--port", "--settings", "--no-emulators", "--no-maildev", "--maildev-smtp-port", "--maildev-web-port"];

    private static async Task<(int Code, string Output, string Error, LocalHostOptions? Options, bool DefaultRoot)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        LocalHostOptions? seen = null;
        var defaultRoot = false;
        var code = await LocalHostCommand.RunAsync(args, output, error, (options, isDefault) =>
        {
            seen = options;
            defaultRoot = isDefault;
            return Task.FromResult(7);
        });
        return (code, output.ToString(), error.ToString(), seen, defaultRoot);
    }

    [Fact]
    public async Task Without_options_the_host_runs_on_its_defaults()
    {
        var (code, _, error, options, defaultRoot) = await RunAsync();
        Assert.Equal(7, code); // the run's own exit code
        Assert.Equal("", error);
        Assert.NotNull(options);
        Assert.True(defaultRoot);
        Assert.Null(options.HttpPort);
        Assert.Null(options.SettingsFile);
        Assert.True(options.StartEmulators);
        Assert.True(options.StartMailDev);
        Assert.Equal(Emulators.MailDev.DefaultSmtpPort, options.MailDevSmtpPort);
        Assert.Equal(Emulators.MailDev.DefaultWebPort, options.MailDevWebPort);
    }

    [Fact]
    public async Task Every_option_is_read_and_paths_are_made_absolute()
    {
        var (code, _, _, options, defaultRoot) = await RunAsync("--script-root", "worker", "--port", "0", "--settings", "my.settings.json",
            "--no-emulators", "--no-maildev", "--maildev-smtp-port", "2525", "--maildev-web-port", "8025");
        Assert.Equal(7, code);
        Assert.NotNull(options);
        Assert.False(defaultRoot);
        Assert.Equal(Path.GetFullPath("worker"), options.ScriptRoot);
        Assert.Equal(0, options.HttpPort);
        Assert.Equal(Path.GetFullPath("my.settings.json"), options.SettingsFile);
        Assert.False(options.StartEmulators);
        Assert.False(options.StartMailDev);
        Assert.Equal(2525, options.MailDevSmtpPort);
        Assert.Equal(8025, options.MailDevWebPort);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task Help_lists_every_option_and_runs_nothing(string help)
    {
        var (code, output, _, options, _) = await RunAsync(help);
        Assert.Equal(0, code);
        Assert.Null(options);
        Assert.All(OptionNames, name => Assert.Contains(name, output, StringComparison.Ordinal));
        Assert.Contains("64 for a wrong option", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port 70000", "--port needs a port number (0-65535).")]
    [InlineData("--maildev-web-port -1", "--maildev-web-port needs a port number (0-65535).")]
    [InlineData("--port http", "--port needs a port number (0-65535).")]
    [InlineData("--port", "--port")]
    [InlineData("--no-such-option", "--no-such-option")]
    public async Task A_wrong_option_exits_64_with_what_is_wrong_and_the_options_on_standard_error(string args, string message)
    {
        var (code, output, error, options, _) = await RunAsync(args.Split(' '));
        Assert.Equal(LocalHostCommand.WrongOption, code);
        Assert.Null(options);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.All(OptionNames, name => Assert.Contains(name, error, StringComparison.Ordinal));
    }
}
