//! The design matrix: covariates, an optional intercept and coefficient names, checked once
//! when built so that every model can trust it.

use nalgebra::{DMatrix, DVector};

use super::linalg::{COLLINEAR_PIVOT, SpdFactor, centred_cross_product};
use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// The name of the intercept column, as statsmodels' `add_constant` names it.
pub const INTERCEPT_NAME: &str = "const";

/// A checked design matrix X (n rows × p columns), the intercept first when there is one.
///
/// Building one refuses, with the matching [`StatsError`]: no rows, a missing or infinite
/// value, a constant covariate (with an intercept; without one, an all-zero column), and
/// collinear covariates (a covariate that the others explain with 1 − R² below 10⁻¹⁰, judged
/// on centred columns when there is an intercept). A `Design` that exists is full rank.
#[derive(Debug, Clone)]
pub struct Design {
    matrix: DMatrix<f64>,
    names: Vec<String>,
    intercept: bool,
}

impl Design {
    /// Builds a design from row-major covariate values: row i holds
    /// `values[i * covariates .. (i + 1) * covariates]`. With `intercept`, a column of ones
    /// is put first. Covariates are named `x1`, `x2`, … until [`Design::with_names`].
    pub fn from_rows(
        values: &[f64],
        covariates: usize,
        intercept: bool,
    ) -> Result<Self, StatsError> {
        if covariates == 0 {
            return Err(StatsError::InvalidArgument(
                "a design needs at least one covariate; use Design::intercept_only".into(),
            ));
        }
        if values.is_empty() {
            return Err(StatsError::Empty { what: "design" });
        }
        if !values.len().is_multiple_of(covariates) {
            return Err(StatsError::InvalidArgument(format!(
                "{} design values do not split into rows of {covariates} covariates",
                values.len()
            )));
        }
        all_finite("design", values)?;
        let n = values.len() / covariates;
        Self::build(n, covariates, intercept, |i, j| values[i * covariates + j])
    }

    /// Builds a design from one slice per covariate (all the same length). With `intercept`,
    /// a column of ones is put first.
    pub fn from_columns(columns: &[&[f64]], intercept: bool) -> Result<Self, StatsError> {
        let Some(first) = columns.first() else {
            return Err(StatsError::InvalidArgument(
                "a design needs at least one covariate; use Design::intercept_only".into(),
            ));
        };
        for column in columns {
            same_length("design columns", first.len(), column.len())?;
            all_finite("design", column)?;
        }
        if first.is_empty() {
            return Err(StatsError::Empty { what: "design" });
        }
        Self::build(first.len(), columns.len(), intercept, |i, j| columns[j][i])
    }

    /// The intercept-only design of `n` rows (the null model of a likelihood-ratio test).
    pub fn intercept_only(n: usize) -> Result<Self, StatsError> {
        if n == 0 {
            return Err(StatsError::Empty { what: "design" });
        }
        Ok(Self {
            matrix: DMatrix::from_element(n, 1, 1.0),
            names: vec![INTERCEPT_NAME.to_owned()],
            intercept: true,
        })
    }

    /// Names the covariates (not the intercept), in column order.
    pub fn with_names(mut self, names: &[&str]) -> Result<Self, StatsError> {
        let offset = usize::from(self.intercept);
        same_length("covariate names", self.names.len() - offset, names.len())?;
        for (slot, name) in self.names.iter_mut().skip(offset).zip(names) {
            *slot = (*name).to_owned();
        }
        Ok(self)
    }

    /// Number of rows (observations).
    pub fn n(&self) -> usize {
        self.matrix.nrows()
    }

    /// Number of columns, i.e. of coefficients (the intercept included).
    pub fn p(&self) -> usize {
        self.matrix.ncols()
    }

    /// Coefficient names in column order (`const` first when there is an intercept).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether the first column is the intercept.
    pub fn has_intercept(&self) -> bool {
        self.intercept
    }

    /// The covariate values of column `j` (the intercept counts as column 0 when present).
    pub fn column(&self, j: usize) -> Option<&[f64]> {
        let n = self.n();
        if j >= self.p() {
            return None;
        }
        // nalgebra stores column-major, so column j is one contiguous run.
        self.matrix.as_slice().get(j * n..(j + 1) * n)
    }

    pub(crate) fn matrix(&self) -> &DMatrix<f64> {
        &self.matrix
    }

    /// A copy with `values` inserted as a covariate right after the intercept (or first),
    /// checked like any other design: used to put the treatment into an outcome model.
    pub(crate) fn with_leading_covariate(
        &self,
        name: &str,
        values: &[f64],
    ) -> Result<Self, StatsError> {
        same_length("treatment and design", self.n(), values.len())?;
        all_finite("treatment", values)?;
        let at = usize::from(self.intercept);
        let old = &self.matrix;
        let covariates = self.p() - at + 1;
        let mut design = Self::build(self.n(), covariates, self.intercept, |i, j| {
            if j == 0 { values[i] } else { old[(i, j - 1 + at)] }
        })?;
        design.names = self.names.clone();
        design.names.insert(at, name.to_owned());
        Ok(design)
    }

    fn build(
        n: usize,
        covariates: usize,
        intercept: bool,
        value: impl Fn(usize, usize) -> f64,
    ) -> Result<Self, StatsError> {
        let offset = usize::from(intercept);
        let p = covariates + offset;
        // Filled a block of rows at a time: row-major input read column by column would
        // stride through all of memory once per column.
        let mut matrix = DMatrix::from_element(n, p, 1.0);
        let mut start = 0;
        while start < n {
            let end = (start + 1024).min(n);
            for j in 0..covariates {
                for i in start..end {
                    matrix[(i, j + offset)] = value(i, j);
                }
            }
            start = end;
        }
        let mut names: Vec<String> = (1..=covariates).map(|j| format!("x{j}")).collect();
        if intercept {
            names.insert(0, INTERCEPT_NAME.to_owned());
        }
        let design = Self { matrix, names, intercept };
        design.check_identified()?;
        Ok(design)
    }

    /// Refuses constant and collinear covariates. With an intercept the check runs on centred
    /// columns, so a covariate with a large mean and a small spread (a calendar year) is not
    /// mistaken for a copy of the intercept.
    fn check_identified(&self) -> Result<(), StatsError> {
        let offset = usize::from(self.intercept);
        let covariates = self.matrix.columns(offset, self.p() - offset);
        for (index, column) in covariates.column_iter().enumerate() {
            let first = column[0];
            let constant = if self.intercept {
                column.iter().all(|&v| v == first)
            } else {
                column.iter().all(|&v| v == 0.0)
            };
            if constant {
                return Err(StatsError::ConstantCovariate { index });
            }
        }
        if covariates.ncols() == 0 {
            return Ok(());
        }
        if self.n() < self.p() {
            return Err(StatsError::TooFew {
                what: "design rows",
                needed: self.p(),
                got: self.n(),
            });
        }
        let centre = if self.intercept {
            covariates.row_mean().transpose()
        } else {
            DVector::zeros(covariates.ncols())
        };
        let cross = centred_cross_product(covariates, &centre);
        SpdFactor::new(&cross, COLLINEAR_PIVOT).map(|_| ()).ok_or(StatsError::Singular)
    }
}
