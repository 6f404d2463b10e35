# R reference outputs for the Fisher–Freeman–Halton test at size and its Monte Carlo p-value (R 4.2.2, package stats).
# Run from this folder: Rscript make_fisher_reference.R   (writes fisher_network.json and fisher_monte_carlo.json).
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
int <- function(x) paste0("[", paste(as.integer(x), collapse = ","), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, int), collapse = ","), "]")

# Exact p-values of two-column tables, of every size R's FEXACT can enumerate here: 2 to 7 rows, N from 12 to 1,200.
set.seed(20261206)
cases <- character(0)
for (rows in 2:7) for (n in c(12, 40, 150, 400, if (rows <= 5) 1200)) {
  for (rep in 1:2) {
    p1 <- runif(rows, 0.2, 0.8)
    size <- as.vector(rmultinom(1, n, runif(rows, 0.5, 1.5)))
    size[size == 0] <- 1
    first <- rbinom(rows, size, p1)
    m <- cbind(first, size - first)
    if (sum(m[, 1]) == 0 || sum(m[, 2]) == 0) next
    p <- tryCatch(fisher.test(m, workspace = 2e8)$p.value, error = function(e) NA)
    if (is.na(p)) next
    cases <- c(cases, paste0("{\"table\": ", mat(m), ", \"fisher_p\": ", sprintf("%.17g", p), "}"))
  }
}
cat(file = "fisher_network.json", "{\"method\": \"fisher.test(m, workspace = 2e8)$p.value on random two-column tables\", \"r_version\": \"",
    R.version.string, "\", \"cases\": [\n", paste(cases, collapse = ",\n"), "\n]}\n", sep = "")

# R's generator and the Monte Carlo p-value: set.seed(seed); runif(k), and set.seed(seed); fisher.test(m, simulate.p.value = TRUE, B).
uniforms <- sapply(c(1, 42, 20261206, -7), function(s) { set.seed(s); paste0("{\"seed\": ", s, ", \"runif\": ", num(runif(1250)), "}") })
big <- matrix(c(80, 95, 70, 110, 90, 75, 85, 100, 60, 95, 65, 75), ncol = 2, byrow = TRUE)
tables <- list(list(big, 1, 2000), list(big * 10, 20261206, 2000), list(big * 10, 7, 999),
               list(matrix(c(4, 1, 7, 3, 1, 2), ncol = 2, byrow = TRUE), 42, 2000),
               list(matrix(c(2, 3, 4, 1, 0, 2, 5, 1, 3), ncol = 3, byrow = TRUE), 3, 5000),
               list(matrix(c(1, 3, 10, 6, 2, 3, 10, 7, 1, 6, 14, 12, 0, 1, 9, 11), ncol = 4, byrow = TRUE), 11, 2000),
               list(matrix(c(0, 5, 4, 0, 2, 2, 0, 0), ncol = 2, byrow = TRUE), 5, 300))
mc <- sapply(tables, function(x) {
  set.seed(x[[2]])
  p <- fisher.test(x[[1]], simulate.p.value = TRUE, B = x[[3]])$p.value
  set.seed(x[[2]])
  r <- r2dtable(1, rowSums(x[[1]]), colSums(x[[1]]))[[1]]
  paste0("{\"table\": ", mat(x[[1]]), ", \"seed\": ", x[[2]], ", \"B\": ", x[[3]], ", \"p\": ", sprintf("%.17g", p),
         ", \"first_r2dtable\": ", mat(r), "}")
})
cat(file = "fisher_monte_carlo.json", "{\"method\": \"set.seed(seed); runif(1250) | set.seed(seed); fisher.test(m, simulate.p.value = TRUE, B)$p.value; set.seed(seed); r2dtable(1, rowSums(m), colSums(m))\", \"r_version\": \"",
    R.version.string, "\", \"uniforms\": [\n", paste(uniforms, collapse = ",\n"), "\n], \"cases\": [\n", paste(mc, collapse = ",\n"), "\n]}\n", sep = "")
