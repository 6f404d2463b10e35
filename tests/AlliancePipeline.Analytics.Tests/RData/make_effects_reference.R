# R reference outputs for time to job and effect sizes (R 4.2.2; survival 3.5-3; package stats).
# Run from this folder: Rscript make_effects_reference.R   (writes survival.json and intervals.json).
#  survival.json:  survfit(Surv(time, event) ~ group) (Kaplan–Meier, Greenwood, conf.type "log", 95 %) per group, and the
#                  median with its CI as print.survfit gives it (summary(fit)$table); survdiff(..., rho = 0) (log-rank);
#                  coxph(Surv(time, event) ~ group) (Efron ties) with summary(fit)'s coefficients and tests
#                  (the Wald statistic from fit$wald.test: summary rounds it to 2 decimals).
#  intervals.json: binom.test(x, n)$conf.int (Clopper–Pearson); fisher.test on 2 × 2 tables (conditional MLE odds
#                  ratio, exact CI, p); chisq.test(correct = FALSE) and the bias-corrected Cramér's V of Bergsma (2013),
#                  computed here by hand (rcompanion is not installed).
suppressPackageStartupMessages(library(survival))
num1 <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
num <- function(x) paste0("[", paste(vapply(x, num1, ""), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
str <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
obj <- function(...) { v <- list(...); paste0("{", paste0("\"", names(v), "\": ", unlist(v), collapse = ", "), "}") }

# ---- survival ----
set.seed(20261207)
make_case <- function(g, sizes, rates, follow, cens_rate, ties, no_event_group = 0) {
  group <- rep(LETTERS[1:g], sizes)
  t <- rexp(length(group), rates[match(group, LETTERS)])
  c <- if (cens_rate > 0) rexp(length(group), cens_rate) else rep(Inf, length(group))
  c <- pmin(c, follow)
  time <- pmin(t, c); event <- as.integer(t <= c)
  if (ties) time <- pmax(1, ceiling(time * 4))   # whole weeks: many ties, between events and censorings too
  if (no_event_group > 0) event[group == LETTERS[no_event_group]] <- 0L
  list(group = group, time = time, event = event)
}
cases <- list()
for (k in 1:24) {
  g <- sample(2:4, 1)
  cases[[length(cases) + 1]] <- make_case(g, sample(c(3:12, 20, 40, 80), g, replace = TRUE), runif(g, 0.2, 2),
                                          follow = runif(1, 1, 4), cens_rate = sample(c(0, 0.2, 0.6), 1),
                                          ties = k %% 2 == 0, no_event_group = if (k %% 6 == 0) sample(2:g, 1) else 0)
}
# Hand-made: the median exactly at S = 0.5 (averaged with the next time), a curve that reaches 0, a single-event group,
# the reference level without events, and a group of one.
cases[[length(cases) + 1]] <- list(group = c("A", "A", "A", "A", "B", "B", "B"), time = c(1, 2, 3, 4, 1, 2, 3), event = c(1, 1, 1, 1, 0, 1, 0))
cases[[length(cases) + 1]] <- list(group = rep(c("A", "B"), c(6, 5)), time = c(1, 2, 2, 3, 4, 5, 2, 3, 3, 6, 8), event = c(1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0))
cases[[length(cases) + 1]] <- list(group = rep(c("A", "B", "C"), c(5, 6, 4)), time = c(3, 5, 5, 7, 9, 1, 2, 2, 4, 6, 6, 2, 3, 8, 8), event = c(0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0))
# A monotone likelihood although every group has events: B's events come when only B is at risk (R warns, B -> -Inf).
cases[[length(cases) + 1]] <- list(group = rep(c("A", "B", "C"), c(4, 3, 2)), time = c(1, 2, 3, 4, 8, 9, 10, 2.5, 3.5), event = c(1, 1, 1, 0, 1, 0, 1, 0, 1))
cases[[length(cases) + 1]] <- list(group = rep(c("A", "B", "C"), c(8, 1, 7)), time = c(1:8, 4, 2, 2, 3, 5, 5, 9, 9), event = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0))

survival_case <- function(d) {
  d <- as.data.frame(d); d$group <- factor(d$group)
  lv <- levels(d$group)
  fit <- survfit(Surv(time, event) ~ group, data = d)
  tab <- summary(fit)$table
  strata <- rep(seq_along(fit$strata), fit$strata)
  curves <- vapply(seq_along(lv), function(i) {
    w <- strata == i
    obj(level = paste0("\"", lv[i], "\""), time = num(fit$time[w]), n_risk = int(fit$n.risk[w]), n_event = int(fit$n.event[w]),
        n_censor = int(fit$n.censor[w]), surv = num(fit$surv[w]), std_err = num(fit$std.err[w]), lower = num(fit$lower[w]),
        upper = num(fit$upper[w]), median = num1(tab[i, "median"]), median_lower = num1(tab[i, "0.95LCL"]),
        median_upper = num1(tab[i, "0.95UCL"]))
  }, "")
  sd <- survdiff(Surv(time, event) ~ group, data = d)
  sd_df <- sum(sd$exp > 0) - 1
  logrank <- obj(chisq = num1(sd$chisq), df = sd_df, p = num1(pchisq(sd$chisq, sd_df, lower.tail = FALSE)),
                 observed = num(sd$obs), expected = num(sd$exp), n = int(sd$n))
  # coxph: levels without events have an infinite MLE (R warns and stops at a large coefficient). The other levels'
  # estimates are their limits: the fit on the levels with events (the first of them the reference). The score test is
  # taken at beta = 0 and the likelihood ratio at the supremum, both from the full fit.
  with_events <- lv[vapply(lv, function(l) any(d$event[d$group == l] == 1), TRUE)]
  # R's warning names the coefficients that may be infinite ("Loglik converged before variable  1,2 ; ...").
  infinite <- character(0)
  full <- withCallingHandlers(coxph(Surv(time, event) ~ group, data = d), warning = function(w) {
    m <- conditionMessage(w)
    if (grepl("may be infinite", m)) infinite <<- lv[-1][as.integer(strsplit(gsub("[^0-9,]", "", sub(";.*", "", m)), ",")[[1]])]
    invokeRestart("muffleWarning")
  })
  fs <- summary(full)
  tests <- obj(loglik_null = num1(full$loglik[1]), loglik = num1(full$loglik[2]),
               lr = num1(fs$logtest[["test"]]), lr_df = fs$logtest[["df"]], lr_p = num1(fs$logtest[["pvalue"]]),
               score = num1(fs$sctest[["test"]]), score_df = fs$sctest[["df"]], score_p = num1(fs$sctest[["pvalue"]]),
               wald = num1(full$wald.test), wald_df = fs$waldtest[["df"]], wald_p = num1(fs$waldtest[["pvalue"]]))
  if (length(with_events) >= 2) {
    red <- droplevels(d[d$group %in% with_events, ])
    fit_r <- if (length(with_events) == length(lv)) full else coxph(Surv(time, event) ~ group, data = red)
    s <- summary(fit_r)
    co <- s$coefficients; ci <- s$conf.int
    coefs <- obj(levels = str(with_events), coef = num(co[, "coef"]), hr = num(co[, "exp(coef)"]), se = num(co[, "se(coef)"]),
                 z = num(co[, "z"]), p = num(co[, "Pr(>|z|)"]), lower = num(ci[, "lower .95"]), upper = num(ci[, "upper .95"]),
                 loglik = num1(fit_r$loglik[2]), wald = num1(fit_r$wald.test))
  } else coefs <- obj(levels = str(with_events))
  obj(levels = str(lv), group = str(as.character(d$group)), time = num(d$time), event = int(d$event),
      km = paste0("[", paste(curves, collapse = ",\n "), "]"), logrank = logrank, cox_full = tests, cox = coefs,
      cox_infinite = if (length(infinite)) str(infinite) else "[]")
}
out <- vapply(cases, survival_case, "")
cat(file = "survival.json", "{\"method\": \"survfit, survdiff (rho = 0), coxph (Efron) of Surv(time, event) ~ group\", \"r_version\": \"",
    R.version.string, "\", \"survival\": \"", as.character(packageVersion("survival")), "\", \"cases\": [\n", paste(out, collapse = ",\n"), "\n]}\n", sep = "")

# ---- intervals and effect sizes ----
set.seed(20261208)
binom <- character(0)
for (n in c(1, 2, 3, 5, 8, 13, 30, 100, 1000)) for (x in unique(c(0, 1, n %/% 3, n %/% 2, n - 1, n))) {
  if (x < 0 || x > n) next
  ci <- binom.test(x, n)$conf.int
  binom <- c(binom, obj(x = x, n = n, lower = num1(ci[1]), upper = num1(ci[2])))
}
tables <- list(c(3, 1, 1, 3), c(0, 5, 4, 0), c(0, 5, 3, 4), c(5, 0, 3, 4), c(4, 3, 5, 0), c(3, 4, 0, 5), c(10, 10, 10, 10),
               c(1, 0, 0, 1), c(0, 0, 3, 4), c(2, 7, 9, 1), c(12, 30, 5, 40), c(1, 1, 1, 50), c(40, 3, 38, 5))
for (k in 1:20) { n <- sample(c(6, 10, 25, 60, 200), 1); tables[[length(tables) + 1]] <- as.vector(rmultinom(1, n, runif(4, 0.05, 1))) }
fisher2 <- character(0)
for (v in tables) {
  m <- matrix(v, 2, byrow = TRUE)
  if (any(rowSums(m) == 0) || any(colSums(m) == 0)) next
  f <- fisher.test(m)
  fisher2 <- c(fisher2, obj(table = paste0("[", int(m[1, ]), ",", int(m[2, ]), "]"), estimate = num1(f$estimate),
                           lower = num1(f$conf.int[1]), upper = num1(f$conf.int[2]), p = num1(f$p.value)))
}
# Bergsma (2013): phi2 = X2 / n; phi2~ = max(0, phi2 - (k - 1)(r - 1) / (n - 1)); k~ = k - (k - 1)^2 / (n - 1);
# r~ = r - (r - 1)^2 / (n - 1); V~ = sqrt(phi2~ / min(k~ - 1, r~ - 1)).
bergsma <- function(m) {
  n <- sum(m); r <- nrow(m); k <- ncol(m)
  x2 <- suppressWarnings(chisq.test(m, correct = FALSE)$statistic[[1]])
  phi2 <- max(0, x2 / n - (k - 1) * (r - 1) / (n - 1))
  sqrt(phi2 / min(k - (k - 1)^2 / (n - 1) - 1, r - (r - 1)^2 / (n - 1) - 1))
}
cramer <- character(0)
for (k in 1:24) {
  r <- sample(2:6, 1); c <- sample(2:4, 1); n <- sample(c(8, 15, 40, 120, 600), 1)
  p <- outer(runif(r, 0.2, 1), runif(c, 0.2, 1)) * (1 + if (k %% 3 == 0) 0 else matrix(runif(r * c, -0.8, 0.8), r))
  m <- matrix(rmultinom(1, n, p), r)
  if (any(rowSums(m) == 0) || any(colSums(m) == 0)) next
  cs <- suppressWarnings(chisq.test(m, correct = FALSE))
  cramer <- c(cramer, obj(table = paste0("[", paste(apply(m, 1, int), collapse = ","), "]"), chisq = num1(cs$statistic[[1]]),
                          v = num1(sqrt(cs$statistic[[1]] / (n * (min(r, c) - 1)))), v_bias_corrected = num1(bergsma(m)),
                          min_expected = num1(min(cs$expected))))
}
cat(file = "intervals.json", "{\"method\": \"binom.test(x, n)$conf.int; fisher.test(2 x 2): estimate, conf.int, p.value; chisq.test(correct = FALSE) and Bergsma's (2013) bias-corrected Cramer's V by hand\", \"r_version\": \"",
    R.version.string, "\", \"binom\": [\n", paste(binom, collapse = ",\n"), "\n], \"fisher_2x2\": [\n", paste(fisher2, collapse = ",\n"),
    "\n], \"cramer\": [\n", paste(cramer, collapse = ",\n"), "\n]}\n", sep = "")
