# reproduce.R: recomputes this report's trajectories, Ward clustering, clusters and outcome table from responses.csv
# with base R and stats alone, so that every number of the report can be checked.
# Study {{STUDY_ID}}, run {{RUN_ID}}, written by Alliance Pipeline {{VERSION}}.
#
#   Rscript reproduce.R [responses.csv] [reproduce-output.json]
#
# It prints a summary and writes what it computed to the JSON file (numbers with 17 significant digits).

args <- commandArgs(trailingOnly = TRUE)
input <- if (length(args) >= 1) args[1] else "responses.csv"
output <- if (length(args) >= 2) args[2] else "reproduce-output.json"

# What the report ran (from its settings and the instrument's definition).
role <- "{{ROLE}}"                 # whose ratings make the trajectories
T <- {{MEETINGS}}                  # meetings 1..T
k <- {{K}}                         # the number of clusters the report chose ({{K_RULE}})
deviation <- {{DEVIATION}}         # TRUE: cluster X - rowMeans(X) (shape only); FALSE: raw scores
scale_min <- {{SCALE_MIN}}; scale_max <- {{SCALE_MAX}}
reverse_items <- c({{REVERSE}})    # reverse scored: min + max - answer
score_method <- "{{METHOD}}"       # "mean" or "sum" of the item scores
min_answered <- {{MIN_ANSWERED}}; prorate <- {{PRORATE}}
subscales <- list({{SUBSCALES}})

# responses.csv neutralises text that a spreadsheet would run as a formula with a leading "'": undo it.
d <- read.csv(input, colClasses = "character", na.strings = "", check.names = FALSE)
unescape <- function(x) ifelse(!is.na(x) & grepl("^'[=+@\t\r-]", x), substring(x, 2), x)
for (col in c("StudyId", "AssessmentId", "SiteId", "DyadId", "ArmId", "RaterRole", "RaterId", "ClusterLabel")) d[[col]] <- unescape(d[[col]])

# Scores from the items, by the instrument's rule (the same integers and the same one division as the app).
r <- d[d$RaterRole == role & as.integer(d$Meeting) >= 1 & as.integer(d$Meeting) <= T, ]
items <- sapply(sprintf("Item%02d", 1:12), function(col) as.integer(r[[col]]))
if (!is.matrix(items)) items <- matrix(items, nrow = nrow(r))
items[items < scale_min | items > scale_max] <- NA
scored <- items
if (length(reverse_items)) scored[, reverse_items] <- scale_min + scale_max - items[, reverse_items]
score <- function(m) {
  answered <- rowSums(!is.na(m)); s <- rowSums(m, na.rm = TRUE); n <- ncol(m)
  v <- if (score_method == "mean") s / answered else ifelse(answered == n, s, s * n / answered)
  v[answered == 0 | answered < min_answered | (!prorate & answered < n)] <- NA
  v
}
r$global <- score(scored)
global_max_abs_diff <- if (nrow(r)) max(abs(r$global - as.numeric(r$Global)), na.rm = TRUE) else 0

# Trajectories: one row per dyad (ids in C-locale order), the global score at meetings 1..T; a meeting rated twice
# keeps the later submission; dyads missing a meeting are left out of the clustering.
r <- r[order(r$SubmittedAt, method = "radix"), ]
ids <- sort(unique(r$DyadId), method = "radix")
X <- matrix(NA_real_, length(ids), T, dimnames = list(ids, paste0("m", 1:T)))
for (i in seq_len(nrow(r))) X[r$DyadId[i], as.integer(r$Meeting[i])] <- r$global[i]
complete <- rowSums(is.na(X)) == 0
Xc <- X[complete, , drop = FALSE]
cat(sprintf("%s ratings: %d dyads, %d complete, %d left out for a missing meeting\n", role, nrow(X), nrow(Xc), sum(!complete)))
if (is.na(k)) {
  cat("The report did not cluster: too few dyads were rated at every meeting.\n")
  cat(file = output, sep = "", "{\"k\": null, \"ids\": ", if (nrow(Xc)) paste0("[", paste0("\"", rownames(Xc), "\"", collapse = ","), "]") else "[]", "}\n")
  quit(save = "no")
}

# Ward's minimum-variance clustering as the report ran it, and the chosen k.
Y <- if (deviation) Xc - rowMeans(Xc) else Xc
h <- hclust(dist(Y), method = "ward.D2")
cl <- cutree(h, k)
centroids <- t(sapply(seq_len(k), function(g) colMeans(Xc[cl == g, , drop = FALSE])))
if (T == 1) centroids <- t(centroids)
cat(sprintf("k = %d; sizes: %s\n", k, paste(tabulate(cl, k), collapse = ", ")))
print(round(centroids, 3))

# Cluster x outcome: dyads with a recorded outcome; Fisher-Freeman-Halton exact test, chi-square and Cramer's V.
first <- function(v) { v <- v[!is.na(v)]; if (length(v)) v[1] else NA }
employed <- tapply(d$Employed, d$DyadId, first)[rownames(Xc)]
days <- as.numeric(tapply(d$DaysToJob, d$DyadId, first)[rownames(Xc)])
has <- !is.na(employed)
tab <- table(cluster = factor(cl[has]), employed = factor(employed[has], levels = c("1", "0")))
fisher_p <- NA; chisq <- NA; chisq_df <- NA; cramers_v <- NA
if (nrow(tab) >= 2 && all(colSums(tab) > 0)) {
  fisher_p <- fisher.test(tab, workspace = 2e8)$p.value
  cs <- suppressWarnings(chisq.test(tab, correct = FALSE))
  chisq <- unname(cs$statistic); chisq_df <- unname(cs$parameter)
  cramers_v <- sqrt(chisq / (sum(tab) * (min(dim(tab)) - 1)))
}
print(tab)
cat(sprintf("Fisher p = %.6g, Cramer's V = %.6g\n", fisher_p, cramers_v))
days_mean <- sapply(seq_len(k), function(g) { v <- days[cl == g & !is.na(days)]; if (length(v)) mean(v) else NA })

# Cronbach's alpha of the same responses' item scores, with Feldt's 95% CI.
alpha <- function(m) {
  m <- m[complete.cases(m), , drop = FALSE]; n <- nrow(m); q <- ncol(m)
  C <- cov(m); a <- q / (q - 1) * (1 - sum(diag(C)) / sum(C))
  c(a, 1 - (1 - a) * qf(.975, n - 1, (n - 1) * (q - 1)), 1 - (1 - a) * qf(.025, n - 1, (n - 1) * (q - 1)), n)
}
alphas <- lapply(c(subscales, list(global = 1:12)), function(idx) alpha(scored[, idx, drop = FALSE]))

num <- function(x) if (length(x) == 0) "[]" else paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]")
int <- function(x) if (length(x) == 0) "[]" else paste0("[", paste(ifelse(is.na(x), "null", as.integer(x)), collapse = ","), "]")
str <- function(x) if (length(x) == 0) "[]" else paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
rows <- function(m, f) paste0("[", paste(apply(m, 1, f), collapse = ","), "]")
one <- function(x) if (is.na(x)) "null" else sprintf("%.17g", x)
cat(file = output, sep = "", "{\n",
    "\"role\": \"", role, "\",\n\"meetings\": ", T, ",\n\"k\": ", k, ",\n",
    "\"ids\": ", str(rownames(Xc)), ",\n\"incomplete\": ", str(rownames(X)[!complete]), ",\n",
    "\"X\": ", rows(Xc, num), ",\n",
    "\"merge\": ", rows(h$merge, int), ",\n\"height\": ", num(h$height), ",\n\"order\": ", int(h$order), ",\n",
    "\"cutree\": ", int(cl), ",\n\"sizes\": ", int(tabulate(cl, k)), ",\n\"centroids\": ", rows(centroids, num), ",\n",
    "\"outcome_clusters\": ", int(as.integer(rownames(tab))), ",\n\"outcome_table\": ", rows(unclass(tab), int), ",\n",
    "\"fisher_p\": ", one(fisher_p), ",\n\"chisq\": ", one(chisq), ",\n\"chisq_df\": ", one(chisq_df), ",\n\"cramers_v\": ", one(cramers_v), ",\n",
    "\"days_to_job_mean\": ", num(days_mean), ",\n",
    "\"alpha\": {", paste(sprintf("\"%s\": %s", names(alphas), sapply(alphas, num)), collapse = ", "), "},\n",
    "\"global_max_abs_diff\": ", sprintf("%.17g", global_max_abs_diff), ",\n",
    "\"r_version\": \"", R.version.string, "\"\n}\n")
cat("Written:", output, "\n")
