//! The alternative design, for comparison only: attendance days computed
//! by the engine and kept in a table (created here, not by a migration),
//! rewritten for the days a sync touched. Raw SQL, the same on both
//! backends.

use std::future::Future;

use jiff::civil::Date;
use punchclock::attendance::Day;
use punchclock::domain::CompanyId;
use punchclock::service::attendance::{Page, Period};
use punchclock::service::{Caller, Services};
use sqlx::{PgPool, SqlitePool};

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

pub struct Table {
    pool: Pool,
    company: CompanyId,
}

const CREATE: &str = "CREATE TABLE bench_days (company_id BIGINT NOT NULL, \
    employee_id BIGINT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL, \
    worked_seconds BIGINT NOT NULL, late_seconds BIGINT NOT NULL, \
    early_seconds BIGINT NOT NULL, overtime_seconds BIGINT NOT NULL, \
    flags BIGINT NOT NULL, provisional BOOLEAN NOT NULL, \
    PRIMARY KEY (company_id, date, employee_id))";

impl Table {
    pub async fn create(url: &str, company: CompanyId) -> anyhow::Result<Table> {
        let pool = if url.starts_with("postgres") {
            Pool::Postgres(PgPool::connect(url).await?)
        } else {
            Pool::Sqlite(SqlitePool::connect(url).await?)
        };
        on_pool!(&pool, |p| {
            sqlx::query(CREATE).execute(p).await?;
        });
        Ok(Table { pool, company })
    }

    pub async fn drop_table(self) -> anyhow::Result<()> {
        on_pool!(&self.pool, |p| {
            sqlx::query("DROP TABLE bench_days").execute(p).await?;
            p.close().await
        });
        Ok(())
    }

    /// Computes the whole period and writes every day.
    pub async fn rebuild(
        &self,
        s: &Services,
        caller: &Caller,
        period: Period,
    ) -> anyhow::Result<()> {
        self.refresh(s, caller, period).await
    }

    /// What a stored design does after a sync: recompute the days it
    /// touched (engine) and replace their rows.
    pub async fn refresh(
        &self,
        s: &Services,
        caller: &Caller,
        period: Period,
    ) -> anyhow::Result<()> {
        let page = Page {
            limit: Page::max_for_totals(period),
            offset: 0,
        };
        let everyone = s.attendance().everyone(caller, period, page).await?;
        let rows: Vec<(i64, &Day)> = everyone
            .people
            .iter()
            .flat_map(|p| p.attendance.days.iter().map(move |d| (p.employee.id.0, d)))
            .collect();
        self.replace(period, &rows).await
    }

    async fn replace(&self, period: Period, rows: &[(i64, &Day)]) -> anyhow::Result<()> {
        let company = self.company.0;
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "DELETE FROM bench_days WHERE company_id = $1 AND date >= $2 AND date <= $3",
            )
            .bind(company)
            .bind(period.from.to_string())
            .bind(period.to.to_string())
            .execute(&mut *tx)
            .await?;
            for chunk in rows.chunks(3_000) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO bench_days (company_id, employee_id, date, status, \
                     worked_seconds, late_seconds, early_seconds, overtime_seconds, flags, \
                     provisional) ",
                );
                q.push_values(chunk, |mut v, (e, d)| {
                    v.push_bind(company)
                        .push_bind(*e)
                        .push_bind(d.date.to_string())
                        .push_bind(d.status.as_str())
                        .push_bind(d.worked_seconds)
                        .push_bind(d.late_seconds)
                        .push_bind(d.early_leave_seconds)
                        .push_bind(d.overtime_seconds())
                        .push_bind(d.flags.iter().count() as i64)
                        .push_bind(d.provisional);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The month's totals per employee, summed by the database.
    pub async fn month_summary(&self, period: Period) -> anyhow::Result<usize> {
        let sql = "SELECT employee_id, COUNT(*), \
            CAST(SUM(CASE WHEN status = 'present' THEN 1 ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN status = 'absent' THEN 1 ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN late_seconds > 0 THEN 1 ELSE 0 END) AS BIGINT), \
            CAST(SUM(worked_seconds) AS BIGINT), CAST(SUM(late_seconds) AS BIGINT), \
            CAST(SUM(early_seconds) AS BIGINT), CAST(SUM(overtime_seconds) AS BIGINT) \
            FROM bench_days WHERE company_id = $1 AND date >= $2 AND date <= $3 \
            GROUP BY employee_id";
        type Row = (i64, i64, i64, i64, i64, i64, i64, i64, i64);
        let rows: Vec<Row> = on_pool!(&self.pool, |p| {
            sqlx::query_as(sql)
                .bind(self.company.0)
                .bind(period.from.to_string())
                .bind(period.to.to_string())
                .fetch_all(p)
                .await?
        });
        Ok(rows.len())
    }

    /// One day's rows for everyone.
    pub async fn day(&self, date: Date) -> anyhow::Result<usize> {
        let sql = "SELECT employee_id, status, worked_seconds, late_seconds, early_seconds, \
            overtime_seconds, flags, provisional FROM bench_days \
            WHERE company_id = $1 AND date = $2";
        type Row = (i64, String, i64, i64, i64, i64, i64, bool);
        let rows: Vec<Row> = on_pool!(&self.pool, |p| {
            sqlx::query_as(sql)
                .bind(self.company.0)
                .bind(date.to_string())
                .fetch_all(p)
                .await?
        });
        Ok(rows.len())
    }
}

/// A new database under an admin URL, and a future that drops it.
pub async fn fresh_postgres(
    admin: &str,
) -> anyhow::Result<(String, impl Future<Output = ()> + use<>)> {
    let name = format!("pc_bench_{}", std::process::id());
    let pool = PgPool::connect(admin).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await?;
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    let url = format!("{base}/{name}");
    let drop = async move {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&pool)
            .await;
        pool.close().await;
    };
    Ok((url, drop))
}
