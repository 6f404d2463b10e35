# The seed study's check (issue 18), R's side (R 4.2.2; packages stats, survival).
# Run from this folder: Rscript make_seed_study_reference.R   (reads ward_paper_spread_18x3.json, writes seed_study_18.json).
# Data: the 18 dyads x 3 meetings of ward_paper_spread_18x3.json (make_k_rule_reference.R: the published shares and SDs,
# scores on the 1/12 grid of a 12-item mean), dyad i being d-00i (d-001..d-018, the rows in order). Clustered as the report
# clusters them under `analysis.clusters.rule: absolute`: hclust(dist(X), "ward.D2"), cut at 3. Outcomes as the paper
# reports them (employed 4/5, 7/10, 1/3 in stable-high, stable-low and linearly decreasing alliance), with days from
# enrolment to the job's start written here; every dyad without a job is followed to the end of the 182-day follow-up
# (its outcome is recorded after it), so it is censored at day 182.
# Expected: the cluster x employment table, fisher.test's p, chisq.test(correct = FALSE)'s Cramer's V, each cluster's
# binom.test interval (Clopper-Pearson) and survival::survdiff's log-rank chi-square and p on (days, event) by cluster.
library(survival)
num1 <- function(x) sprintf("%.17g", x)
num <- function(x) paste0("[", paste(vapply(x, num1, ""), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
strs <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")

# X from the reference file, in base R (no JSON package needed): the numbers between "X": [[ and ]].
text <- paste(readLines("ward_paper_spread_18x3.json"), collapse = "")
block <- sub("\\]\\].*$", "", sub("^.*\"X\": \\[\\[", "", text))
X <- matrix(as.numeric(strsplit(gsub("[][ ]", "", block), ",")[[1]]), ncol = 3, byrow = TRUE)
stopifnot(nrow(X) == 18, all(abs(X * 12 - round(X * 12)) < 1e-9))
ids <- sprintf("d-%03d", 1:18)
cluster <- cutree(hclust(dist(X), method = "ward.D2"), 3)
stopifnot(identical(as.vector(table(cluster)), c(5L, 10L, 3L)))

followUp <- 182
# Day of the job's start from enrolment, NA: no job within follow-up (4 of 5, 7 of 10, 1 of 3).
jobDay <- c(35, 61, NA, 88, 120,                          # d-001..d-005
            49, 77, 102, NA, 133, 150, NA, 164, NA, 175,  # d-006..d-015
            NA, 140, NA)                                  # d-016..d-018
employed <- !is.na(jobDay)
days <- ifelse(employed, jobDay, followUp)
event <- as.integer(employed)

tab <- table(factor(cluster, levels = 1:3), factor(employed, levels = c(TRUE, FALSE)))
fisher <- fisher.test(tab)
chi <- suppressWarnings(chisq.test(tab, correct = FALSE))
v <- sqrt(unname(chi$statistic) / (sum(tab) * (min(dim(tab)) - 1)))
ci <- t(sapply(1:3, function(g) binom.test(tab[g, 1], sum(tab[g, ]))$conf.int))
lr <- survdiff(Surv(days, event) ~ factor(cluster))
lrP <- pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE)
cat("table", tab, "fisher", fisher$p.value, "V", v, "log-rank", lr$chisq, lrP, "\n")

cat(file = "seed_study_18.json", sep = "",
    "{\n\"name\": \"seed_study_18\",\n\"note\": \"ward_paper_spread_18x3 clustered at k = 3 with the paper's outcomes; make_seed_study_reference.R\",\n",
    "\"r_version\": \"", R.version.string, "\",\n\"followUpDays\": ", followUp, ",\n",
    "\"ids\": ", strs(ids), ",\n\"cluster\": ", int(cluster), ",\n\"employed\": ", int(employed), ",\n",
    "\"days\": ", int(days), ",\n\"event\": ", int(event), ",\n",
    "\"sizes\": ", int(rowSums(tab)), ",\n\"employedByCluster\": ", int(tab[, 1]), ",\n",
    "\"fisherP\": ", num1(fisher$p.value), ",\n\"chiSquare\": ", num1(unname(chi$statistic)), ",\n\"cramersV\": ", num1(v), ",\n",
    "\"ciLow\": ", num(ci[, 1]), ",\n\"ciHigh\": ", num(ci[, 2]), ",\n",
    "\"logRankChiSquare\": ", num1(lr$chisq), ",\n\"logRankDf\": ", length(lr$n) - 1, ",\n\"logRankP\": ", num1(lrP), "\n}\n")
