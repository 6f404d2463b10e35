# R reference outputs for the report's covariate section (R 4.2.2; package stats).
# Run from this folder: Rscript make_covariates_reference.R   (writes covariates.json).
# Each case: dyads in k clusters with a categorical covariate (some levels or values missing), a numeric one (some
# missing) and an outcome (employed or not; some not recorded). Expected, over the clustered dyads with a value:
#  categorical: table(level, cluster) with every declared level and cluster; fisher.test on it with the all-zero rows
#               and columns dropped (exact: the tables are small), null when fewer than 2 rows or columns remain;
#  numeric:     per cluster n, mean, sd (null below 2); anova(aov(value ~ factor(cluster))) F, dfs and p;
#  job rate:    per level, employed / dyads with an outcome and binom.test(x, n)$conf.int (Clopper-Pearson).
num1 <- function(x) if (is.null(x) || is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
num <- function(x) paste0("[", paste(vapply(x, num1, ""), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
strs <- function(x) paste0("[", paste(ifelse(is.na(x), "null", paste0("\"", x, "\"")), collapse = ","), "]")
obj <- function(...) { v <- list(...); paste0("{", paste0("\"", names(v), "\": ", unlist(v), collapse = ", "), "}") }

set.seed(20261207)
cases <- character(0)
for (case in 1:30) {
  n <- sample(12:70, 1); k <- sample(2:4, 1); L <- sample(2:3, 1)
  levels <- c("low", "mid", "high")[1:L]
  cluster <- sample(1:k, n, replace = TRUE, prob = runif(k, 0.3, 1))
  p_level <- runif(L, 0.1, 1); if (case %% 7 == 0) p_level[L] <- 0   # a level nobody has
  level <- sample(levels, n, replace = TRUE, prob = p_level)
  level[runif(n) < 0.1] <- NA
  value <- round(rnorm(n, 40 + 3 * cluster, 8), 1)
  if (case %% 5 == 0) value <- round(value)                         # whole numbers, with ties
  value[runif(n) < 0.1] <- NA
  employed <- ifelse(runif(n) < 0.15, NA, runif(n) < plogis(-0.5 + 0.4 * match(level, levels, nomatch = 1)))

  counts <- table(factor(level, levels = levels), factor(cluster, levels = 1:k))
  kept <- counts[rowSums(counts) > 0, colSums(counts) > 0, drop = FALSE]
  fisher_p <- if (nrow(kept) >= 2 && ncol(kept) >= 2) fisher.test(kept)$p.value else NA

  has <- !is.na(value)
  per <- lapply(1:k, function(c) { v <- value[has & cluster == c]; c(length(v), if (length(v)) mean(v) else NA, if (length(v) >= 2) sd(v) else NA) })
  a <- anova(aov(value[has] ~ factor(cluster[has])))
  rates <- sapply(levels, function(l) {
    sel <- !is.na(level) & level == l & !is.na(employed)
    x <- sum(employed[sel]); m <- sum(sel)
    if (m == 0) c(x, m, NA, NA) else c(x, m, binom.test(x, m)$conf.int)
  })

  cases <- c(cases, obj(
    levels = strs(levels), k = k,
    cluster = int(cluster), level = strs(level), value = num(value),
    employed = paste0("[", paste(ifelse(is.na(employed), "null", ifelse(employed, "true", "false")), collapse = ","), "]"),
    counts = paste0("[", paste(apply(counts, 1, int), collapse = ","), "]"),
    fisher_p = num1(fisher_p),
    n = int(sapply(per, `[`, 1)), mean = num(sapply(per, `[`, 2)), sd = num(sapply(per, `[`, 3)),
    f = num1(a$`F value`[1]), df1 = a$Df[1], df2 = a$Df[2], anova_p = num1(a$`Pr(>F)`[1]),
    rate_x = int(rates[1, ]), rate_n = int(rates[2, ]), rate_lower = num(rates[3, ]), rate_upper = num(rates[4, ])))
}
writeLines(paste0("{\"r\": \"", R.version.string, "\", \"cases\": [\n", paste(cases, collapse = ",\n"), "\n]}"), "covariates.json")
