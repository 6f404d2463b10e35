# R's qt(p, df) at the probabilities and degrees of freedom AlliancePipeline.Analytics.Tests pins
# Distributions.StudentTQuantile with (R 4.2.2, package stats).
# Run from this folder: Rscript make_qt.R   (writes qt.json beside it; CI does not need R).
ps <- c(0.975, 0.025, 0.5, 0.6, 0.9, 0.995, 0.999, 0.0005)
dfs <- c(0.5, 1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20, 29, 30, 50, 99, 100, 250, 1000, 1e4, 1e6)
rows <- character(0)
for (p in ps) for (df in dfs) rows <- c(rows, sprintf("[%.17g, %.17g, %.17g]", p, df, qt(p, df)))
cat(file = "qt.json", sep = "",
    "{\n\"function\": \"qt(p, df)\",\n\"r_version\": \"", R.version.string, "\",\n",
    "\"columns\": [\"p\", \"df\", \"qt\"],\n\"values\": [\n", paste(rows, collapse = ",\n"), "\n]\n}\n")
