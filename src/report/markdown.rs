//! report.md: the report rendered as Markdown, for reading in a terminal,
//! a diff or a ticket. It renders the same [`Report`] as the HTML page, but
//! with its own section code (tables as pipes, no charts), so it lives apart
//! from the shared helpers in `mod.rs`; the year section is in `year_md.rs`.

use std::fmt::Write as _;

use super::i18n::{tr, Messages};
use super::{
    caveat, drill_down, embedder_text, fcr_interval, json, no_recurring_reason, p_text, points,
    score_explained, trend_test, truncate, year_md, Report,
};
use crate::rank::{RankedCategory, RankedTheme};

/// report.md, in the report's language.
pub fn render_markdown(r: &Report) -> String {
    let m = r.metrics;
    let t = r.messages();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}\n",
        tr!(
            t,
            "page.title",
            period = m.period,
            start = t.date(&m.data_start),
            end = t.date(&m.data_end)
        )
    );
    if let Some(w) = &r.embedder_warning {
        let _ = writeln!(o, "> **{}** {w}\n", tr!(t, "md.warning_label"));
    }
    if let Some(ch) = r.changes {
        changes_markdown(&mut o, t, ch);
    }
    if let Some(y) = r.year {
        year_md::year_markdown(&mut o, t, y, r.themes);
    }
    let _ = writeln!(o, "## {}\n", tr!(t, "headline.title"));
    if let Some(c) = caveat(t, m) {
        let _ = writeln!(o, "> **{}** {c}\n", tr!(t, "md.caveat_label"));
    }
    let _ = writeln!(o, "{}", md_head(t, &["md.measure", "md.value"]));
    let pct = |v: Option<f64>| t.pct(v);
    // A figure the month has no data for is left out, as on the page.
    let rows: Vec<(&str, String, bool)> = vec![
        (
            tr!(t, "md.fcr"),
            tr!(
                t,
                "md.fcr_value",
                rate = pct(m.fcr_rate),
                measured = m.measured_episodes,
                interval = fcr_interval(t, m).map_or_else(String::new, |i| format!("; {i}"))
            ),
            true,
        ),
        (
            tr!(t, "md.episodes_contacts"),
            format!("{} / {}", m.episodes, m.contacts),
            true,
        ),
        (tr!(t, "md.extra"), format!("{}", m.repeat_contacts), true),
        (
            tr!(t, "md.per_resolved"),
            m.avg_contacts_per_resolved_issue
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| t.na().into()),
            m.avg_contacts_per_resolved_issue.is_some(),
        ),
        (
            tr!(t, "md.repeat_customers"),
            tr!(
                t,
                "md.repeat_customers_value",
                share = pct(m.repeat_customer_share),
                repeat = m.repeat_customers,
                customers = m.customers
            ),
            true,
        ),
        (
            tr!(t, "md.one_time"),
            pct(m.one_time_resolution_rate),
            m.closed_tickets > 0,
        ),
        (
            tr!(t, "md.survey"),
            tr!(
                t,
                "md.survey_value",
                survey = pct(m.survey.survey_fcr_rate),
                crm = pct(m.survey.crm_fcr_rate),
                answered = m.survey.episodes_with_answer,
                disagree = pct(m.survey.disagreement_rate)
            ),
            m.survey.episodes_with_answer > 0,
        ),
        (
            tr!(t, "md.open"),
            tr!(
                t,
                "md.open_value",
                open = m.window_open_episodes,
                non_fcr = m.window_open_non_fcr_episodes
            ),
            true,
        ),
    ];
    for (k, v, _) in rows.iter().filter(|r| r.2) {
        let _ = writeln!(o, "| {} | {} |", k, cell(v));
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## {}\n", tr!(t, "top10.title"));
    if r.themes.is_empty() {
        let key = no_recurring_reason(r.reasons);
        let _ = writeln!(o, "{}\n", t.fmt(key, &[("n", &r.reasons)]));
    } else {
        let _ = writeln!(o, "{}\n", tr!(t, "md.ranked_by_theme"));
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.rank",
                    "col.theme",
                    "col.extra",
                    "col.share",
                    "col.episodes",
                    "col.categories",
                    "col.said",
                ]
            )
        );
        for th in r.themes.iter().take(10) {
            let c = &th.figures;
            let quotes: Vec<String> = c
                .quotes
                .iter()
                .take(2)
                .map(|(_, q)| format!("“{}”", truncate(q, 120)))
                .collect();
            let _ = writeln!(
                o,
                "| {} | {} `{}` | {} | {:.1}% | {} | {} | {} |",
                c.rank,
                cell(&c.label),
                c.category_id,
                c.extra_contacts,
                c.share * 100.0,
                c.episodes,
                cell(&theme_categories(r, th)),
                cell(&quotes.join(" "))
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "## {}\n", tr!(t, "md.every_theme"));
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.rank",
                    "col.theme",
                    "col.extra",
                    "col.share",
                    "col.episodes",
                    "col.customers",
                    "col.trend",
                    "col.categories",
                ]
            )
        );
        for th in r.themes {
            let c = &th.figures;
            let _ = writeln!(
                o,
                "| {} | {} `{}` | {} | {:.1}% | {} | {} | {} | {} |",
                c.rank,
                cell(&c.label),
                c.category_id,
                c.extra_contacts,
                c.share * 100.0,
                c.episodes,
                c.customers,
                c.trend
                    .as_ref()
                    .map_or(String::new(), |x| t.term("flag", x.flag.as_str())),
                cell(&theme_categories(r, th))
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## {}\n", tr!(t, "card.title"));
    for c in r.categories {
        category_markdown(&mut o, r, c);
    }
    if r.uncategorised.episodes > 0 {
        let _ = writeln!(
            o,
            "{}{}\n",
            tr!(
                t,
                "md.uncategorised",
                n = r.uncategorised.episodes,
                reasons = r.reasons
            ),
            examples_md(t, &r.uncategorised.examples)
        );
    }
    if r.no_problem_stated.episodes > 0 {
        let _ = writeln!(
            o,
            "{}{}\n",
            tr!(t, "md.no_problem", n = r.no_problem_stated.episodes),
            examples_md(t, &r.no_problem_stated.examples)
        );
    }
    if !r.boilerplate.is_empty() {
        let _ = writeln!(
            o,
            "{}\n",
            tr!(
                t,
                "md.boilerplate",
                phrases = r
                    .boilerplate
                    .iter()
                    .map(|p| format!("“{p}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }

    let s = &m.settings;
    let _ = writeln!(o, "## {}\n", tr!(t, "settings.title"));
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.input",
            read = m.input.rows_read,
            accepted = m.input.rows_accepted,
            rejected = m.input.rows_rejected,
            reasons = if m.input.rejected_by_reason.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    term_counts(t, "rejected", m.input.rejected_by_reason.iter())
                )
            }
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(t, "md.embedder", embedder = embedder_text(t, r))
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.settings",
            window = t.duration(s.repeat_window_secs),
            same_issue = t.term("same_issue", &json::enum_name(&s.same_issue)),
            basis = t.term("fcr_basis", &json::enum_name(&s.fcr_basis)),
            signals = s
                .fcr_signals
                .iter()
                .map(|x| t.term("signal", x.as_str()))
                .collect::<Vec<_>>()
                .join(t.get("common.list_sep"))
        )
    );
    let _ = writeln!(
        o,
        "- {}",
        tr!(
            t,
            "md.categorised",
            categorise = t.term("categorise", &json::enum_name(&s.categorise)),
            rank_by = t.term("rank_by", &json::enum_name(&s.rank_by)),
            language = t.lang().tag()
        )
    );
    o
}

/// One category's entry in report.md.
fn category_markdown(o: &mut String, r: &Report, c: &RankedCategory) {
    let t = r.messages();
    let _ = writeln!(o, "### {}. {} (`{}`)\n", c.rank, c.label, c.category_id);
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.keywords_label"),
        c.keywords.join(t.get("common.list_sep"))
    );
    if c.category_index.is_some() {
        let _ = writeln!(
            o,
            "- **{}** {}",
            tr!(t, "md.name_said_label"),
            tr!(
                t,
                "md.name_said",
                share = format!("{:.0}", c.name_said_by * 100.0)
            )
        );
    }
    if !c.theme_id.is_empty() {
        let _ = writeln!(
            o,
            "- **{}** {} (`{}`)",
            tr!(t, "md.theme_label"),
            c.theme,
            c.theme_id
        );
    }
    if let Some(x) = &c.trend {
        let _ = writeln!(
            o,
            "- **{}** {}",
            tr!(t, "md.since_label"),
            tr!(
                t,
                "md.since",
                flag = t.term("flag", x.flag.as_str()),
                prev = x.prev_episodes,
                now = x.prev_episodes as i64 + x.episodes_delta,
                delta = t.ltr(&format!("{:+}", x.episodes_delta)),
                ps = format!("{:.1}", x.prev_episode_share * 100.0),
                ns = format!("{:.1}", x.episode_share * 100.0),
                p = p_text(t, x.p_value),
                from = if x.matched_from.is_empty() {
                    String::new()
                } else {
                    tr!(t, "md.since_from", ids = x.matched_from.join(" + "))
                }
            )
        );
    }
    if let Some(k) = &c.taxonomy_key {
        let _ = writeln!(o, "- **{}** `{k}` (--taxonomy)", tr!(t, "md.known_label"));
    }
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.impact_label"),
        tr!(
            t,
            "md.impact",
            episodes = c.episodes,
            extra = c.extra_contacts,
            share = format!("{:.1}", c.share * 100.0),
            customers = c.customers,
            per_episode = format!("{:.2}", c.avg_contacts_per_episode)
        )
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.signals_label"),
        term_counts(t, "signal", c.signals.iter())
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.also_label"),
        tr!(
            t,
            "md.also",
            escalated = c.escalated,
            transferred = c.transferred,
            reopened = c.reopened,
            survey = c.survey_unresolved,
            sensitive = c.sensitive_episodes,
            open = c.window_open_episodes
        )
    );
    let top = |m: &std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<(&String, &usize)> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(5)
            .map(|(k, n)| {
                let k = if k.is_empty() {
                    t.get("common.none_key")
                } else {
                    k.as_str()
                };
                format!("{k} {n}")
            })
            .collect::<Vec<_>>()
            .join(t.get("common.list_sep"))
    };
    let _ = writeln!(
        o,
        "- **{}** {}; **{}** {}",
        tr!(t, "md.channels_label"),
        top(&c.channels),
        tr!(t, "md.teams_label"),
        top(&c.teams)
    );
    let _ = writeln!(
        o,
        "- **{}** {} — {}",
        tr!(t, "md.score_label"),
        c.score,
        score_explained(t, c)
    );
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "md.examples_label"),
        c.example_contact_ids.join(", ")
    );
    let (search, sample) = drill_down(&r.out_dir, c);
    let _ = writeln!(
        o,
        "- **{}** `{search}` · `{sample}`",
        tr!(t, "md.drill_label")
    );
    for (id, q) in &c.quotes {
        let _ = writeln!(o, "  > “{}” — {}", truncate(&q.replace('\n', " "), 300), id);
    }
    let _ = writeln!(o);
}

/// "What changed since last month": first in the report.
fn changes_markdown(o: &mut String, t: &Messages, ch: &crate::trend::Changes) {
    let _ = writeln!(o, "## {}\n", tr!(t, "changes.title"));
    let _ = writeln!(
        o,
        "{}\n",
        tr!(
            t,
            "changes.compared",
            previous = format!("`{}`", ch.previous_out_dir),
            start = t.date(&ch.previous_data_start),
            end = t.date(&ch.previous_data_end),
            now = ch.reasons,
            then = ch.prev_reasons,
            by = t.term("matched_by", &ch.matched_by)
        )
    );
    if let Some(w) = &ch.warning {
        let _ = writeln!(o, "> **{}** {w}\n", tr!(t, "md.warning_label"));
    }
    let f = &ch.fcr.overall;
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "changes.fcr_label"),
        tr!(
            t,
            "changes.fcr",
            then = t.pct(f.prev_fcr_rate),
            now = t.pct(f.fcr_rate),
            delta = points(t, f.delta),
            p = p_text(t, f.p_value),
            verdict = if f.significant {
                tr!(t, "changes.significant")
            } else {
                tr!(t, "changes.not_significant")
            }
        )
    );
    let moved: Vec<String> = ch
        .fcr
        .by_channel
        .iter()
        .map(|g| ("changes.channel", g))
        .chain(ch.fcr.by_team.iter().map(|g| ("changes.team", g)))
        .filter(|(_, g)| g.significant)
        .map(|(what, g)| {
            let name = if g.key.is_empty() {
                t.get("common.none_key")
            } else {
                g.key.as_str()
            };
            t.fmt(what, &[("name", &name), ("delta", &points(t, g.delta))])
        })
        .collect();
    let _ = writeln!(
        o,
        "- **{}** {}",
        tr!(t, "changes.moves_label"),
        if moved.is_empty() {
            tr!(t, "common.none").to_string()
        } else {
            moved.join(t.get("common.list_sep"))
        }
    );
    let list = |o: &mut String, title: &str, v: &[crate::trend::ChangedCategory], n: usize| {
        let _ = writeln!(o, "\n### {}\n", t.fmt(title, &[("n", &v.len())]));
        if v.is_empty() {
            let _ = writeln!(o, "{}", tr!(t, "common.none_sentence"));
            return;
        }
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.category",
                    "changes.col_now",
                    "changes.col_last_month",
                    "changes.col_change",
                    "changes.col_share_now",
                    "changes.col_share_then",
                    "changes.col_test",
                    "changes.col_from",
                ]
            )
        );
        for c in v.iter().take(n) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {} | {:.1}% | {:.1}% | {} | {} |",
                cell(&c.label),
                c.category_id,
                c.episodes,
                c.prev_episodes,
                t.ltr(&format!("{:+}", c.episodes_delta)),
                c.episode_share * 100.0,
                c.prev_episode_share * 100.0,
                p_text(t, c.p_value),
                c.matched_from.join(" + ")
            );
        }
        if v.len() > n {
            let _ = writeln!(o, "\n{}", tr!(t, "md.more_in_csv", n = v.len() - n));
        }
    };
    list(o, "changes.new", &ch.new, 10);
    list(o, "changes.rising", &ch.rising, 10);
    list(o, "changes.falling", &ch.falling, 10);
    let _ = writeln!(
        o,
        "\n### {}\n",
        tr!(t, "changes.vanished", n = ch.vanished.len())
    );
    if ch.vanished.is_empty() {
        let _ = writeln!(o, "{}", tr!(t, "common.none_sentence"));
    } else {
        let _ = writeln!(
            o,
            "{}",
            md_head(
                t,
                &[
                    "col.category",
                    "changes.col_episodes_last_month",
                    "changes.col_extra_last_month",
                    "changes.col_keywords",
                    "changes.col_test",
                ]
            )
        );
        for v in ch.vanished.iter().take(10) {
            let _ = writeln!(
                o,
                "| {} `{}` | {} | {} | {} | {} |",
                cell(&v.label),
                v.category_id,
                v.prev_episodes,
                v.prev_extra_contacts,
                cell(&v.keywords.join(t.get("common.list_sep"))),
                p_text(t, v.p_value)
            );
        }
    }
    if !ch.split.is_empty() || !ch.merged.is_empty() {
        let _ = writeln!(o, "\n### {}\n", tr!(t, "changes.splits"));
        for c in &ch.split {
            let _ = writeln!(
                o,
                "- {}",
                tr!(
                    t,
                    "changes.split_from",
                    category = format!("{} `{}`", c.label, c.category_id),
                    from = c.matched_from.join(", ")
                )
            );
        }
        for c in &ch.merged {
            let _ = writeln!(
                o,
                "- {}",
                tr!(
                    t,
                    "changes.merged",
                    category = format!("{} `{}`", c.label, c.category_id),
                    from = c.matched_from.join(" + ")
                )
            );
        }
    }
    if !ch.known_without_cases.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            tr!(
                t,
                "changes.known_without_cases",
                ids = ch.known_without_cases.join(", ")
            )
        );
    }
    let _ = writeln!(
        o,
        "\n_{}_\n",
        tr!(t, "changes.test", test = trend_test(t, ch))
    );
}

/// A Markdown table's header and rule, one column per message key.
pub(super) fn md_head(t: &Messages, keys: &[&str]) -> String {
    let names: Vec<&str> = keys.iter().map(|k| t.get(k)).collect();
    format!("| {} |\n|{}", names.join(" | "), "---|".repeat(keys.len()))
}

/// A theme's categories for a table cell: "name `CAT-…` (extra contacts)"
/// each, best first; a theme of one category says so.
fn theme_categories(r: &Report, t: &RankedTheme) -> String {
    if let [i] = t.categories.as_slice() {
        if let Some(c) = r.categories.get(*i) {
            return tr!(
                r.messages(),
                "top10.one_category",
                link = format!("`{}`", c.category_id)
            );
        }
    }
    t.categories
        .iter()
        .filter_map(|&i| r.categories.get(i))
        .map(|c| format!("{} `{}` ({})", c.label, c.category_id, c.extra_contacts))
        .collect::<Vec<_>>()
        .join("; ")
}

/// ": “a” (C1), “b” (C2)." or "." when there are none.
fn examples_md(m: &Messages, examples: &[(String, String)]) -> String {
    if examples.is_empty() {
        return m.get("common.end").into();
    }
    let quoted: Vec<String> = examples
        .iter()
        .map(|(id, t)| format!("“{}” ({id})", cell(&truncate(t, 120))))
        .collect();
    m.fmt(
        "common.examples",
        &[("quotes", &quoted.join(m.get("common.list_sep")))],
    )
}

/// Names from the data's vocabulary with their counts ("repeat contact 25,
/// reopened 5"), in the report's language.
fn term_counts<'a, V: std::fmt::Display>(
    t: &Messages,
    table: &str,
    counts: impl Iterator<Item = (&'a String, V)>,
) -> String {
    counts
        .map(|(k, v)| format!("{} {v}", t.term(table, k)))
        .collect::<Vec<_>>()
        .join(t.get("common.list_sep"))
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
