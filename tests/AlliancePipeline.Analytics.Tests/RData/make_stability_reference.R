# Bootstrap stability of Ward clusters (Hennig 2007) by fpc::clusterboot, R 4.2.2 with fpc 2.2.10.
# Run from this folder: Rscript make_stability_reference.R   (writes cluster_stability.json beside it; needs jsonlite
# to read the data of the other reference files; CI needs neither).
# Each case: clusterboot(Y, B, bootmethod = "boot", clustermethod = hclustCBI, method = "ward.D2", k = k,
# scaling = FALSE, seed = seed), Y = X or X - rowMeans(X) (the app's Ward on unscaled scores; hclustCBI's default
# scaling = TRUE would standardise each resample's columns, which the app does not). clusterboot's defaults:
# multipleboot = FALSE (each resample's rows are unique(sample(n, n, replace = TRUE)), in order of first draw),
# bscompare = TRUE, dissolution 0.5, recover 0.75. The file keeps each resample's draws (before unique), each cluster's
# Jaccard per resample (bootresult), bootmean, bootbrd and bootrecover.
suppressMessages(library(fpc))
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
mat <- function(m, f = num) paste0("[", paste(apply(m, 1, f), collapse = ",\n"), "]")
one <- function(name, file, k, deviation, seed, B = 100) {
  X <- jsonlite::fromJSON(file)$X
  Y <- if (deviation) X - rowMeans(X) else X
  n <- nrow(X)
  cb <- clusterboot(Y, B = B, bootmethod = "boot", clustermethod = hclustCBI, method = "ward.D2", k = k,
                    scaling = FALSE, seed = seed, count = FALSE)
  set.seed(seed)  # clusterboot's only random numbers are its resamples: the same stream again gives its draws
  draws <- t(sapply(1:B, function(i) sample(n, n, replace = TRUE)))
  cat(name, ": mean Jaccard", sprintf("%.4f", cb$bootmean), "\n")
  paste0("{\"name\": \"", name, "\", \"file\": \"", file, "\", \"k\": ", k, ", \"deviation\": ", tolower(deviation),
         ", \"seed\": ", seed, ", \"B\": ", B, ",\n\"partition\": ", int(cb$partition),
         ",\n\"bootmean\": ", num(cb$bootmean), ",\n\"bootbrd\": ", int(cb$bootbrd), ",\n\"bootrecover\": ", int(cb$bootrecover),
         ",\n\"bootresult\": ", mat(cb$bootresult), ",\n\"draws\": ", mat(draws, int), "}")
}
cases <- c(
  one("paper_like_60x3_k3", "ward_paper_like_60x3.json", 3, FALSE, 20261206),
  one("paper_spread_18x3_k4", "ward_paper_spread_18x3.json", 4, FALSE, 20261206),
  one("paper_spread_18x3_k3_seed1", "ward_paper_spread_18x3.json", 3, FALSE, 1),
  one("likert5_300x4_k4", "ward_likert5_300x4.json", 4, FALSE, 20261206),
  one("int7_deviation_250x3_k3", "ward_int7_deviation_250x3.json", 3, TRUE, 20261206),
  one("grid12_deviation_300x4_k5", "ward_grid12_deviation_300x4.json", 5, TRUE, 7))
cat(file = "cluster_stability.json", sep = "",
    "{\n\"r_version\": \"", R.version.string, "\",\n\"fpc_version\": \"", as.character(packageVersion("fpc")), "\",\n",
    "\"call\": \"clusterboot(Y, B, bootmethod = 'boot', clustermethod = hclustCBI, method = 'ward.D2', k, scaling = FALSE, seed)\",\n",
    "\"cases\": [\n", paste(cases, collapse = ",\n"), "\n]\n}\n")
