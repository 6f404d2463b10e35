using AlliancePipeline.Cli.Commands;

return AllianceCli.Run(args);
