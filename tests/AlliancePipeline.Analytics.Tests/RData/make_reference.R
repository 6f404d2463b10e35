# Extra R reference outputs for AlliancePipeline.Analytics.Tests (R 4.2.2, packages stats and cluster).
# Run from this folder: Rscript make_reference.R   (writes the *.json files beside it; CI does not need R).
library(cluster)
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
mat <- function(m, f = num) paste0("[", paste(apply(m, 1, f), collapse = ",\n"), "]")
write_ward <- function(name, X, deviation = FALSE) {
  Y <- if (deviation) X - rowMeans(X) else X
  h <- hclust(dist(Y), method = "ward.D2")
  ct <- t(sapply(2:6, function(k) cutree(h, k)))
  ss <- cumsum(h$height^2 / 2)  # SPSS coefficient: within-cluster sum of squares after each step
  chsil <- t(sapply(2:8, function(k) {
    cl <- cutree(h, k); n <- nrow(Y)
    cent <- apply(Y, 2, mean); tot <- sum(sweep(Y, 2, cent)^2)
    w <- sum(sapply(unique(cl), function(g) { Z <- Y[cl == g, , drop = FALSE]; sum(sweep(Z, 2, colMeans(Z))^2) }))
    ch <- ((tot - w) / (k - 1)) / (w / (n - k))
    sil <- mean(silhouette(cl, dist(Y))[, 3])
    c(k, ch, sil)
  }))
  cat(file = paste0(name, ".json"), sep = "",
      "{\n\"name\": \"", name, "\",\n\"method\": \"hclust(dist(", if (deviation) "X - rowMeans(X)" else "X",
      "), method = \\\"ward.D2\\\")\",\n\"deviation\": ", tolower(deviation), ",\n\"r_version\": \"", R.version.string, "\",\n",
      "\"X\": ", mat(X), ",\n\"merge\": ", mat(h$merge, int), ",\n\"height\": ", num(h$height), ",\n\"order\": ", int(h$order),
      ",\n\"cutree_k2_to_k6\": ", mat(ct, int), ",\n\"coefficient\": ", num(ss),
      ",\n\"k_ch_silhouette\": ", mat(chsil), "\n}\n")
}
grid12 <- function(n, T, centres, sd) {
  pat <- sample(seq_len(nrow(centres)), n, replace = TRUE)
  X <- centres[pat, , drop = FALSE] + matrix(rnorm(n * T, 0, sd), n)
  pmin(pmax(round(X * 12) / 12, 1), 7)
}
set.seed(20261123)
write_ward("ward_likert5_300x4", matrix(sample(1:5, 1200, replace = TRUE, prob = c(.05, .1, .2, .35, .3)), 300))
write_ward("ward_int7_1000x3", matrix(sample(1:7, 3000, replace = TRUE), 1000))
write_ward("ward_int3_200x2", matrix(sample(1:3, 400, replace = TRUE), 200))
C4 <- rbind(c(6.6, 6.6, 6.6, 6.6), c(5.1, 5.1, 5.1, 5.1), c(6.5, 6.2, 5.9, 5.6), c(5.0, 5.5, 6.0, 6.5), c(6.2, 5.4, 5.5, 6.3))
write_ward("ward_grid12_400x4", grid12(400, 4, C4, 0.25))
write_ward("ward_grid12_deviation_300x4", grid12(300, 4, C4, 0.25), deviation = TRUE)
write_ward("ward_int7_deviation_250x3", matrix(sample(1:7, 750, replace = TRUE), 250), deviation = TRUE)
write_ward("ward_continuous_800x4", matrix(rnorm(3200), 800) + C4[sample(1:5, 800, replace = TRUE), ])
C3 <- rbind(c(6.64, 6.64, 6.64), c(5.09, 5.09, 5.09), c(6.5, 6.07, 5.6))
write_ward("ward_paper_like_60x3", grid12(60, 3, C3[c(rep(1, 17), rep(2, 33), rep(3, 10)), ], 0.2))

# Statistics
cases <- list(
  matrix(c(12, 5, 7, 7, 2, 9), 3, byrow = TRUE),
  matrix(c(3, 1, 1, 3), 2),
  matrix(c(0, 5, 4, 0, 2, 2), 3, byrow = TRUE),
  matrix(c(2, 3, 4, 1, 0, 2, 5, 1, 3), 3, byrow = TRUE),
  matrix(c(80, 95, 70, 110, 90, 75, 85, 100, 60, 95, 65, 75), 6, byrow = TRUE))
fis <- sapply(cases, function(m) {
  f <- fisher.test(m, workspace = 2e8)$p.value
  cs <- suppressWarnings(chisq.test(m, correct = FALSE))
  v <- sqrt(unname(cs$statistic) / (sum(m) * (min(dim(m)) - 1)))
  paste0("{\"table\": ", mat(m, int), ", \"fisher_p\": ", sprintf("%.17g", f), ", \"chisq\": ", sprintf("%.17g", cs$statistic),
         ", \"chisq_df\": ", cs$parameter, ", \"chisq_p\": ", sprintf("%.17g", cs$p.value), ", \"cramers_v\": ", sprintf("%.17g", v), "}")
})
cat(file = "fisher_extra.json", "{\"method\": \"fisher.test(m, workspace = 2e8)$p.value; chisq.test(m, correct = FALSE)\", \"cases\": [\n",
    paste(fis, collapse = ",\n"), "\n]}\n", sep = "")

a <- rnorm(23, 5.4, 0.7); b <- rnorm(31, 5.0, 1.1)
tt <- t.test(a, b)
sp <- sqrt(((length(a) - 1) * var(a) + (length(b) - 1) * var(b)) / (length(a) + length(b) - 2))
x <- rnorm(50); y <- 0.4 * x + rnorm(50)
ct <- cor.test(x, y)
k <- 12; n <- 60
items <- matrix(pmin(pmax(round(rnorm(n, 5, 1) + matrix(rnorm(n * k, 0, 0.9), n)), 1), 7), n)
C <- cov(items); alpha <- k / (k - 1) * (1 - sum(diag(C)) / sum(C))
feldt <- c(1 - (1 - alpha) * qf(.975, n - 1, (n - 1) * (k - 1)), 1 - (1 - alpha) * qf(.025, n - 1, (n - 1) * (k - 1)))
rater <- factor(rep(1:8, times = c(5, 7, 4, 6, 9, 3, 6, 5)))
score <- rnorm(length(rater), 5 + rnorm(8, 0, 0.5)[as.integer(rater)], 0.6)
av <- summary(aov(score ~ rater))[[1]]
msb <- av[1, "Mean Sq"]; msw <- av[2, "Mean Sq"]
ni <- table(rater); N <- sum(ni); n0 <- (N - sum(ni^2) / N) / (nlevels(rater) - 1)
icc1 <- (msb - msw) / (msb + (n0 - 1) * msw)
cat(file = "tests_extra.json", sep = "", "{\n",
    "\"welch\": {\"a\": ", num(a), ", \"b\": ", num(b), ", \"t\": ", sprintf("%.17g", tt$statistic), ", \"df\": ", sprintf("%.17g", tt$parameter),
    ", \"p\": ", sprintf("%.17g", tt$p.value), ", \"ci95\": ", num(tt$conf.int), ", \"cohens_d_pooled\": ", sprintf("%.17g", (mean(a) - mean(b)) / sp), "},\n",
    "\"pearson\": {\"x\": ", num(x), ", \"y\": ", num(y), ", \"r\": ", sprintf("%.17g", ct$estimate), ", \"t\": ", sprintf("%.17g", ct$statistic),
    ", \"df\": ", ct$parameter, ", \"p\": ", sprintf("%.17g", ct$p.value), ", \"ci95\": ", num(ct$conf.int), "},\n",
    "\"cronbach\": {\"items\": ", mat(items), ", \"alpha\": ", sprintf("%.17g", alpha), ", \"feldt_ci95\": ", num(feldt), "},\n",
    "\"icc1\": {\"group\": ", int(rater), ", \"score\": ", num(score), ", \"ms_between\": ", sprintf("%.17g", msb), ", \"ms_within\": ", sprintf("%.17g", msw),
    ", \"df_between\": ", av[1, "Df"], ", \"df_within\": ", av[2, "Df"], ", \"f\": ", sprintf("%.17g", av[1, "F value"]), ", \"f_p\": ", sprintf("%.17g", av[1, "Pr(>F)"]),
    ", \"n0\": ", sprintf("%.17g", n0), ", \"icc1\": ", sprintf("%.17g", icc1), "}\n}\n")

# Likert-grid data of the kind in issue #11 (alliance scores are means of 12 items: multiples of 1/12, clipped to 1..7):
# four trajectory shapes, noise SD 0.4 per meeting, n = 2,000 to 5,000; raw and deviation scores. Independent seed, so
# the files above are unchanged when this script is rerun.
set.seed(20261127)
S4 <- rbind(c(6.6, 6.6, 6.6, 6.6), c(5.1, 5.1, 5.1, 5.1), c(6.5, 6.2, 5.9, 5.6), c(5.0, 5.5, 6.0, 6.5))
write_ward("ward_wai_grid_2000x4", grid12(2000, 4, S4, 0.4))
write_ward("ward_wai_grid_deviation_3000x4", grid12(3000, 4, S4, 0.4), deviation = TRUE)
write_ward("ward_wai_grid_5000x4", grid12(5000, 4, S4, 0.4))
write_ward("ward_wai_grid_tight_4000x4", grid12(4000, 4, S4, 0.25))
