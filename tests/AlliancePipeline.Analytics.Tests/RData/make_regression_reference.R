# R reference outputs for the seed papers' regressions (R 4.2.2; package stats only).
# Run from this folder: Rscript make_regression_reference.R   (writes regression.json).
#  hierarchical: m1 <- lm(y ~ block 1), m2 <- lm(y ~ block 1 + block 2); summary(m)$coefficients (NA rows for aliased
#                columns), r.squared, adj.r.squared, sigma, fstatistic (with its p), df.residual; anova(m1, m2): F change,
#                its df and p. Factors with the levels given (the first is the reference: treatment contrasts).
#  logistic:     glm(y ~ terms, family = binomial): coefficients, SE, z, p (summary), Wald CI (confint.default) and its
#                odds ratios, deviance, null deviance, AIC, iterations, converged, and whether glm.fit warned of fitted
#                probabilities numerically 0 or 1; "separated" = that warning, no convergence, or one outcome only.
num1 <- function(x) if (is.na(x)) "null" else if (is.infinite(x)) (if (x > 0) "\"Inf\"" else "\"-Inf\"") else sprintf("%.17g", x)
num <- function(x) paste0("[", paste(vapply(x, num1, ""), collapse = ","), "]")
str <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
obj <- function(...) { v <- list(...); paste0("{", paste0("\"", names(v), "\": ", unlist(v), collapse = ", "), "}") }
arr <- function(x) paste0("[", paste(x, collapse = ",\n "), "]")
lgl <- function(x) if (isTRUE(x)) "true" else "false"

# A term list as JSON: numeric vectors, or factors (a list with values and levels).
terms_json <- function(terms) {
  if (length(terms) == 0) return("[]")
  arr(vapply(names(terms), function(n) {
    t <- terms[[n]]
    if (is.list(t)) obj(name = paste0("\"", n, "\""), values = str(t$values), levels = str(t$levels))
    else obj(name = paste0("\"", n, "\""), values = num(t))
  }, ""))
}
frame_of <- function(terms, n_rows) {
  d <- lapply(terms, function(t) if (is.list(t)) factor(t$values, levels = t$levels) else t)
  if (length(d) == 0) data.frame(row.names = seq_len(n_rows)) else as.data.frame(d, stringsAsFactors = FALSE)
}
coef_json <- function(fit, z = FALSE) {
  cf <- coef(fit)
  s <- summary(fit)$coefficients
  full <- matrix(NA_real_, length(cf), 4, dimnames = list(names(cf), NULL))
  full[rownames(s), ] <- s
  obj(names = str(names(cf)), estimate = num(full[, 1]), se = num(full[, 2]), statistic = num(full[, 3]), p = num(full[, 4]))
}
lm_json <- function(fit) {
  s <- summary(fit)
  f <- s$fstatistic
  obj(coefficients = coef_json(fit), r_squared = num1(s$r.squared), adj_r_squared = num1(s$adj.r.squared),
      sigma = num1(s$sigma), df_residual = num1(fit$df.residual), rank = num1(fit$rank),
      f = if (is.null(f)) "null" else num1(f[[1]]), f_df1 = if (is.null(f)) "null" else num1(f[[2]]),
      f_df2 = if (is.null(f)) "null" else num1(f[[3]]),
      f_p = if (is.null(f)) "null" else num1(pf(f[[1]], f[[2]], f[[3]], lower.tail = FALSE)))
}
hier_case <- function(name, y, block1, block2) {
  d <- frame_of(c(block1, block2), length(y)); d$y <- y
  f1 <- if (length(block1) == 0) y ~ 1 else reformulate(names(block1), "y")
  f2 <- reformulate(c(names(block1), names(block2)), "y")
  m1 <- lm(f1, data = d); m2 <- lm(f2, data = d)
  a <- anova(m1, m2)
  obj(name = paste0("\"", name, "\""), y = num(y), block1 = terms_json(block1), block2 = terms_json(block2),
      model1 = lm_json(m1), model2 = lm_json(m2),
      r_squared_change = num1(summary(m2)$r.squared - summary(m1)$r.squared),
      f_change = num1(a$F[2]), df_change = num1(a$Df[2]), df_residual = num1(a$Res.Df[2]), p_change = num1(a[["Pr(>F)"]][2]))
}
logit_case <- function(name, y, terms) {
  d <- frame_of(terms, length(y)); d$y <- y
  f <- if (length(terms) == 0) y ~ 1 else reformulate(names(terms), "y")
  warned <- FALSE
  fit <- withCallingHandlers(glm(f, family = binomial, data = d), warning = function(w) {
    if (grepl("numerically 0 or 1", conditionMessage(w))) warned <<- TRUE
    invokeRestart("muffleWarning")
  })
  ci <- matrix(NA_real_, length(coef(fit)), 2)
  ok <- !is.na(coef(fit))
  ci[ok, ] <- confint.default(fit)[names(coef(fit))[ok], ]
  obj(name = paste0("\"", name, "\""), y = num(y), terms = terms_json(terms), coefficients = coef_json(fit),
      wald_low = num(ci[, 1]), wald_high = num(ci[, 2]), odds_ratio = num(exp(coef(fit))),
      odds_ratio_low = num(exp(ci[, 1])), odds_ratio_high = num(exp(ci[, 2])),
      deviance = num1(deviance(fit)), null_deviance = num1(fit$null.deviance), aic = num1(AIC(fit)),
      iterations = num1(fit$iter), converged = lgl(fit$converged), fitted_0_or_1 = lgl(warned),
      separated = lgl(warned || !fit$converged || length(unique(y)) == 1))
}

set.seed(20261207)
fac <- function(values, levels) list(values = values, levels = levels)
hier <- list()
n <- 50
age <- round(runif(n, 18, 60)); sex <- sample(c("f", "m"), n, TRUE); site <- sample(c("S1", "S2", "S3"), n, TRUE)
alliance <- round(runif(n, 2, 7) * 12) / 12
y <- 20 + 0.1 * age + 2 * (sex == "m") + c(S1 = 0, S2 = 1.5, S3 = -1)[site] + 1.8 * alliance + rnorm(n, 0, 3)
hier[[1]] <- hier_case("covariates and a factor, n = 50", y, list(age = age, sex = fac(sex, c("f", "m")), site = fac(site, c("S1", "S2", "S3"))), list(alliance = alliance))
hier[[2]] <- hier_case("empty block 1 (intercept only)", y, list(), list(alliance = alliance))
# Levels given out of alphabetical order: the reference is the first level given.
hier[[3]] <- hier_case("reference level S3", y, list(site = fac(site, c("S3", "S1", "S2"))), list(alliance = alliance))
# Aliased covariate: x3 = x1 + x2 (R drops the later column, NA).
x1 <- rnorm(n); x2 <- rnorm(n); x3 <- x1 + x2
hier[[4]] <- hier_case("aliased covariate x3 = x1 + x2", y, list(x1 = x1, x2 = x2, x3 = x3), list(alliance = alliance))
# Alliance aliased with block 1: no change, F undefined.
hier[[5]] <- hier_case("alliance aliased with block 1", y, list(a2 = 2 * alliance, age = age), list(alliance = alliance))
# The smallest n: one residual degree of freedom in model 2.
m <- 5; ys <- c(3.1, 4.7, 2.2, 5.9, 4.4); as <- c(4, 5.5, 3, 6.5, 4.25)
hier[[6]] <- hier_case("n = 5, one residual df", ys, list(age = c(30, 41, 25, 52, 38), sex = fac(c("f", "m", "m", "f", "f"), c("f", "m"))), list(alliance = as))
# Large n, two block-2 terms, a factor in block 2.
n2 <- 400
a2 <- runif(n2, 1, 7); b2 <- rnorm(n2); g2 <- sample(c("a", "b", "c", "d"), n2, TRUE)
y2 <- 1 + 0.3 * b2 + 0.5 * a2 + (g2 == "c") + rnorm(n2)
hier[[7]] <- hier_case("n = 400, factor in block 2", y2, list(b = b2), list(alliance = a2, g = fac(g2, c("a", "b", "c", "d"))))

logit <- list()
n <- 60
x <- runif(n, 3, 7); y <- rbinom(n, 1, plogis(-6 + 1.2 * x))
logit[[1]] <- logit_case("alliance only, n = 60", y, list(alliance = x))
n <- 200
x <- runif(n, 1, 7); age <- round(runif(n, 18, 60)); site <- sample(c("S1", "S2", "S3"), n, TRUE)
y <- rbinom(n, 1, plogis(-3 + 0.6 * x - 0.02 * age + c(S1 = 0, S2 = 0.8, S3 = -0.5)[site]))
logit[[2]] <- logit_case("with covariates, n = 200", y, list(alliance = x, age = age, site = fac(site, c("S1", "S2", "S3"))))
logit[[3]] <- logit_case("small, n = 12", c(0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1), list(alliance = c(3.2, 4.1, 4.5, 5, 5.2, 5.5, 5.8, 6, 6.1, 6.3, 6.6, 7)))
x <- runif(100, 1, 7); y <- rbinom(100, 1, plogis(-7 + 0.6 * x))
logit[[4]] <- logit_case("rare events", y, list(alliance = x))
logit[[5]] <- logit_case("complete separation", c(0, 0, 0, 0, 1, 1, 1, 1), list(alliance = c(1, 2, 3, 4, 5, 6, 7, 8)))
logit[[6]] <- logit_case("quasi-complete separation", c(0, 0, 0, 1, 0, 1, 1, 1), list(alliance = c(1, 2, 3, 4, 4, 6, 7, 8)))
logit[[7]] <- logit_case("every outcome 0", rep(0, 8), list(alliance = c(1, 2, 3, 4, 5, 6, 7, 8)))
x1 <- rnorm(40); y <- rbinom(40, 1, plogis(x1))
logit[[8]] <- logit_case("aliased covariate", y, list(alliance = x1, twice = 2 * x1))
logit[[9]] <- logit_case("intercept only", y, list())
x <- round(runif(30, 1, 7) * 12) / 12; y <- rbinom(30, 1, plogis(-4 + x))
logit[[10]] <- logit_case("WAI grid scores, n = 30", y, list(alliance = x))

cat(file = "regression.json", "{\"method\": \"lm + anova(m1, m2); glm(family = binomial) + confint.default\", \"r_version\": \"",
    R.version.string, "\",\n\"hierarchical\": ", arr(unlist(hier)), ",\n\"logistic\": ", arr(unlist(logit)), "}\n", sep = "")
