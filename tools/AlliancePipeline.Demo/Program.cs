using AlliancePipeline.Demo;

// The README's main command: dotnet run --project tools/AlliancePipeline.Demo [-- --keep-running]
return await DemoCommand.RunAsync(args);
