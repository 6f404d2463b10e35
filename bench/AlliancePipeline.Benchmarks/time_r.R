# One timed R run for the Ward benchmark, in its own process (so its peak memory is its own).
# Usage: Rscript time_r.R fastcluster|stats data.csv [deviation] [out.csv]
#   fastcluster: fastcluster::hclust.vector(X, method = "ward") (Müllner 2013; memory linear in n)
#   stats:       stats::hclust(dist(X), method = "ward.D2") (needs n(n-1)/2 doubles); with out.csv, writes R's tree:
#                n-1 lines "merge1,merge2,height", then n lines "order,cutree2,...,cutree6".
# deviation: cluster X - rowMeans(X), the deviation scores, formed by R itself.
# Prints "seconds <elapsed of the clustering call>".
args <- commandArgs(TRUE)
what <- args[1]
X <- as.matrix(read.csv(args[2], header = FALSE))
if (length(args) >= 3 && args[3] == "deviation") X <- X - rowMeans(X)
out <- if (length(args) >= 4) args[4] else ""
if (what == "fastcluster") {
  suppressPackageStartupMessages(library(fastcluster))
  invisible(fastcluster::hclust.vector(X[1:50, ], method = "ward"))
  t <- system.time(h <- fastcluster::hclust.vector(X, method = "ward"))[["elapsed"]]
} else {
  t <- system.time(h <- stats::hclust(dist(X), method = "ward.D2"))[["elapsed"]]
  if (nzchar(out)) {
    ct <- sapply(2:6, function(k) cutree(h, k))
    lines <- c(sprintf("%d,%d,%.17g", h$merge[, 1], h$merge[, 2], h$height),
               apply(cbind(h$order, ct), 1, paste, collapse = ","))
    writeLines(lines, out)
  }
}
cat(sprintf("seconds %.3f\n", t))
