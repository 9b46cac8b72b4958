//! The reader thread: streams one file's raw rows, in batches, to the parsing side.
//!
//! A format supplies its rows through [`RowReader`]; [`read_batches`] runs it
//! on its own thread while the caller parses the previous batch, so reading
//! and parsing overlap and batches arrive in file order.

use std::sync::mpsc::sync_channel;

use anyhow::Result;

/// Rows per batch sent from the reader thread.
pub(super) const BATCH_ROWS: usize = 8192;

/// A file's raw rows, in file order.
pub(super) trait RowReader: Send {
    /// A row as read, before parsing.
    type Row: Send;

    /// The next row with the 1-based line it starts on, `None` at the end of
    /// the file. An error names the file and ends the reading.
    fn next_row(&mut self) -> Result<Option<(u64, Self::Row)>>;
}

/// A batch of rows with their lines.
pub(super) type Batch<R> = Vec<(u64, R)>;

/// Reads every row of `rows` on a reader thread and hands them to `each`, on
/// the calling thread, in batches of [`BATCH_ROWS`] (the last one shorter),
/// in file order. Returns whether any row was read; a read error is returned
/// after the batches read before it.
pub(super) fn read_batches<R: RowReader>(
    mut rows: R,
    mut each: impl FnMut(Batch<R::Row>),
) -> Result<bool> {
    std::thread::scope(|s| -> Result<bool> {
        let (tx, rx) = sync_channel::<Result<Batch<R::Row>>>(2);
        s.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            loop {
                match rows.next_row() {
                    Ok(Some(row)) => {
                        batch.push(row);
                        if batch.len() == BATCH_ROWS {
                            let full =
                                std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(Ok(batch));
            }
        });
        let mut any = false;
        for batch in rx {
            any = true;
            each(batch?);
        }
        Ok(any)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` rows numbered from line 2, then an error when `fail`.
    struct Numbers {
        next: u64,
        n: u64,
        fail: bool,
    }

    fn numbers(n: usize, fail: bool) -> Numbers {
        Numbers {
            next: 0,
            n: n as u64,
            fail,
        }
    }

    impl RowReader for Numbers {
        type Row = u64;
        fn next_row(&mut self) -> Result<Option<(u64, u64)>> {
            if self.next == self.n {
                return match self.fail {
                    true => Err(anyhow::anyhow!("f: line {}: cannot read", self.n + 2)),
                    false => Ok(None),
                };
            }
            self.next += 1;
            Ok(Some((self.next + 1, self.next - 1)))
        }
    }

    #[test]
    fn batches_in_file_order() {
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        let any = read_batches(numbers(2 * BATCH_ROWS + 5, false), |b| {
            sizes.push(b.len());
            seen.extend(b);
        })
        .unwrap();
        assert!(any);
        assert_eq!(sizes, [BATCH_ROWS, BATCH_ROWS, 5]);
        assert!(seen
            .iter()
            .enumerate()
            .all(|(i, &(line, v))| v == i as u64 && line == v + 2));
    }

    #[test]
    fn no_rows_and_read_errors() {
        assert!(!read_batches(numbers(0, false), |_| panic!("no batch")).unwrap());
        let mut rows = 0;
        let err = read_batches(numbers(BATCH_ROWS + 1, true), |b| rows += b.len()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("f: line {}: cannot read", BATCH_ROWS + 3)
        );
        assert_eq!(
            rows, BATCH_ROWS,
            "the full batch before the error is handed over"
        );
    }
}
