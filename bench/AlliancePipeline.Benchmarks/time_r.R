# Times fastcluster::hclust.vector(X, method = "ward") on the benchmark's data (CSV without header), in the same run.
# Usage: Rscript time_r.R data.csv merge_out.csv [stats]
# With "stats", also runs stats::hclust(dist(X), "ward.D2") and writes its merge and order for the equality check.
args <- commandArgs(TRUE)
suppressPackageStartupMessages(library(fastcluster))
X <- as.matrix(read.csv(args[1], header = FALSE))
invisible(fastcluster::hclust.vector(X[1:50, ], method = "ward"))
t <- system.time(h <- fastcluster::hclust.vector(X, method = "ward"))[["elapsed"]]
cat(sprintf("fastcluster_ms %.1f\n", 1000 * t))
if (length(args) >= 3 && args[3] == "stats") {
  t2 <- system.time(hs <- stats::hclust(dist(X), method = "ward.D2"))[["elapsed"]]
  cat(sprintf("stats_ms %.1f\n", 1000 * t2))
  write.table(rbind(hs$merge, cbind(hs$order, 0L)), args[2], sep = ",", row.names = FALSE, col.names = FALSE)
}
