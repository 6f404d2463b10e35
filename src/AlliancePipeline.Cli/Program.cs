using AlliancePipeline.Cli.Commands;

return await AllianceCli.RunAsync(args);
