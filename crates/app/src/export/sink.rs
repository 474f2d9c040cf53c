//! Writing an export table as CSV or Parquet, a chunk of rows at a time, so a million
//! contacts never sit in memory at once.
//!
//! Parquet is written with the `parquet` crate's own writer (without Arrow, which would add a
//! large build for nothing we use): every column optional, so a missing value stays missing;
//! dates as Parquet dates; codes and text as UTF-8 strings; Snappy-compressed row groups.

use std::io::Write;
use std::sync::Arc;

use super::table::{Column, ColumnType, Row, Value};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// A file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Parquet,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Parquet];

    /// The file extension and the `format` parameter's value.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.extension() == text)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Parquet => "application/vnd.apache.parquet",
        }
    }
}

/// Where a table's rows go.
pub(crate) trait TableSink: Send {
    fn write(&mut self, rows: &[Row]) -> std::io::Result<()>;
    fn finish(self: Box<Self>) -> std::io::Result<()>;
}

/// A sink for `columns` in `format`, writing to `out`.
pub(crate) fn sink(
    format: ExportFormat,
    columns: &[Column],
    out: Box<dyn Write + Send>,
) -> std::io::Result<Box<dyn TableSink>> {
    Ok(match format {
        ExportFormat::Csv => Box::new(CsvSink::new(columns, out)?),
        ExportFormat::Parquet => Box::new(ParquetSink::new(columns, out)?),
    })
}

struct CsvSink {
    writer: csv::Writer<Box<dyn Write + Send>>,
}

impl CsvSink {
    fn new(columns: &[Column], out: Box<dyn Write + Send>) -> std::io::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(columns.iter().map(|c| c.name.as_str()))?;
        Ok(Self { writer })
    }
}

impl TableSink for CsvSink {
    fn write(&mut self, rows: &[Row]) -> std::io::Result<()> {
        for row in rows {
            self.writer.write_record(row.iter().map(Value::to_csv))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Rows per Parquet row group: large enough to compress well, small enough to buffer.
const ROW_GROUP: usize = 65_536;

struct ParquetSink {
    names: Vec<String>,
    kinds: Vec<ColumnType>,
    writer: SerializedFileWriter<Box<dyn Write + Send>>,
    buffered: Vec<Row>,
}

impl ParquetSink {
    fn new(columns: &[Column], out: Box<dyn Write + Send>) -> std::io::Result<Self> {
        let fields = columns
            .iter()
            .map(|column| {
                let (physical, logical) = match column.kind {
                    ColumnType::Integer => (Physical::INT64, None),
                    ColumnType::Number => (Physical::DOUBLE, None),
                    ColumnType::Text | ColumnType::Code => {
                        (Physical::BYTE_ARRAY, Some(LogicalType::String))
                    }
                    ColumnType::Date => (Physical::INT32, Some(LogicalType::Date)),
                    ColumnType::Boolean => (Physical::BOOLEAN, None),
                };
                Type::primitive_type_builder(&column.name, physical)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(std::io::Error::other)?;
        let schema = Type::group_type_builder("kindred_export")
            .with_fields(fields)
            .build()
            .map_err(std::io::Error::other)?;
        let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(properties))
            .map_err(std::io::Error::other)?;
        Ok(Self {
            names: columns.iter().map(|c| c.name.clone()).collect(),
            kinds: columns.iter().map(|c| c.kind).collect(),
            writer,
            buffered: Vec::new(),
        })
    }

    fn flush_group(&mut self) -> parquet::errors::Result<()> {
        if self.buffered.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.buffered);
        let mut group = self.writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            let cells: Vec<&Value> = rows.iter().map(|row| &row[index]).collect();
            let name = &self.names[index];
            match self.kinds[index] {
                ColumnType::Integer => {
                    let (values, levels) = present(&cells, integer, name)?;
                    column.typed::<Int64Type>().write_batch(&values, Some(&levels), None)?;
                }
                ColumnType::Number => {
                    let (values, levels) = present(&cells, number, name)?;
                    column.typed::<DoubleType>().write_batch(&values, Some(&levels), None)?;
                }
                ColumnType::Text | ColumnType::Code => {
                    let (values, levels) = present(&cells, text, name)?;
                    column.typed::<ByteArrayType>().write_batch(&values, Some(&levels), None)?;
                }
                ColumnType::Date => {
                    let (values, levels) = present(&cells, epoch_day, name)?;
                    column.typed::<Int32Type>().write_batch(&values, Some(&levels), None)?;
                }
                ColumnType::Boolean => {
                    let (values, levels) = present(&cells, boolean, name)?;
                    column.typed::<BoolType>().write_batch(&values, Some(&levels), None)?;
                }
            }
            column.close()?;
            index += 1;
        }
        group.close()?;
        Ok(())
    }
}

impl TableSink for ParquetSink {
    fn write(&mut self, rows: &[Row]) -> std::io::Result<()> {
        for row in rows {
            self.buffered.push(row.clone());
            if self.buffered.len() >= ROW_GROUP {
                self.flush_group().map_err(std::io::Error::other)?;
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> std::io::Result<()> {
        self.flush_group().map_err(std::io::Error::other)?;
        self.writer.close().map_err(std::io::Error::other)?;
        Ok(())
    }
}

/// A column's present values and its definition levels (1 present, 0 missing). A cell of
/// the wrong type for its column is a bug in the table's builder, refused rather than written
/// as missing.
fn present<T>(
    cells: &[&Value],
    convert: fn(&Value) -> Option<T>,
    column: &str,
) -> parquet::errors::Result<(Vec<T>, Vec<i16>)> {
    let mut values = Vec::with_capacity(cells.len());
    let mut levels = Vec::with_capacity(cells.len());
    for cell in cells {
        if **cell == Value::Null {
            levels.push(0);
        } else {
            let value = convert(cell).ok_or_else(|| {
                parquet::errors::ParquetError::General(format!(
                    "column {column}: {cell:?} is not of the column's type"
                ))
            })?;
            values.push(value);
            levels.push(1);
        }
    }
    Ok((values, levels))
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(n) => Some(*n),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(x) => Some(*x),
        Value::Integer(n) => Some(*n as f64),
        _ => None,
    }
}

fn text(value: &Value) -> Option<ByteArray> {
    match value {
        Value::Text(text) => Some(ByteArray::from(text.as_str())),
        _ => None,
    }
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Boolean(yes) => Some(*yes),
        _ => None,
    }
}

/// 1970-01-01 as a Julian day number.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Days since 1970-01-01, as Parquet stores a date.
fn epoch_day(value: &Value) -> Option<i32> {
    match value {
        Value::Date(day) => Some(day.to_julian_day() - UNIX_EPOCH_JULIAN_DAY),
        _ => None,
    }
}
