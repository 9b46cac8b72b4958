//! Metrics stage: FCR and repeat-contact figures, overall and by channel,
//! team, agent and week, from linked episodes.
//!
//! Definitions (an episode whose window is still open at the data's end is
//! counted apart; it is never counted as resolved):
//! - `fcr_rate` = FCR episodes ÷ measured episodes, where *measured* are the
//!   episodes whose first contact lies at least one repeat window before the
//!   data's end: for each of them a repeat inside the window would have been
//!   seen, so its outcome is known. (Taking only *closed* episodes instead
//!   would favour short, resolved episodes — a repeat keeps an episode open —
//!   and overstate FCR.);
//! - `avg_contacts_per_resolved_issue` = customer-initiated contacts in closed
//!   episodes ÷ closed episodes (23 contacts for 20 issues = 1.15);
//! - `repeat_customer_share` = customers with ≥ 2 customer-initiated contacts
//!   on one issue ÷ customers (anonymous contacts excluded; all episodes);
//! - `one_time_resolution_rate` = closed tickets never reopened ÷ closed
//!   tickets (a ticket is closed when its last contact's window has closed).

pub mod calibration;
pub mod interval;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono_tz::Tz;
use serde::Serialize;

use crate::model::{Contact, IngestStats, Linked, Role};
use crate::settings::Settings;
use crate::time::{format_time, iso_week};

#[derive(Debug, Serialize)]
pub struct Metrics {
    /// Bumped when a field is renamed or its meaning changes.
    pub schema_version: u32,
    /// The period's label (`2026-10`), as in every table.
    pub period: String,
    pub fcr_rate: Option<f64>,
    pub episodes: usize,
    /// Episodes whose last contact's window has closed.
    pub closed_episodes: usize,
    /// Episodes whose FCR outcome is known (the `fcr_rate` denominator).
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    /// How far `fcr_rate` can be trusted: sampling and linking intervals,
    /// and a caveat when the data covers too few repeat windows.
    pub fcr_uncertainty: interval::FcrUncertainty,
    /// What the month's own data says about the same-issue threshold
    /// (`null` for `--same-issue any`).
    pub same_issue_calibration: Option<calibration::SameIssueCalibration>,
    /// Episodes whose repeat window is still open at the data's end.
    pub window_open_episodes: usize,
    /// Of those, already non-FCR (a repeat or another signal seen).
    pub window_open_non_fcr_episodes: usize,
    pub contacts: usize,
    /// Inbound contacts, transfer legs excluded: customer effort.
    pub customer_contacts: usize,
    pub repeat_contacts: usize,
    pub transfer_legs: usize,
    pub outbound_contacts: usize,
    /// Inbound contacts that state no problem inside an open episode
    /// (thanks, "yes"): part of it, not repeats.
    pub courtesy_contacts: usize,
    pub avg_contacts_per_resolved_issue: Option<f64>,
    pub repeat_customer_share: Option<f64>,
    pub customers: usize,
    pub repeat_customers: usize,
    pub one_time_resolution_rate: Option<f64>,
    pub tickets: usize,
    pub closed_tickets: usize,
    pub closed_tickets_reopened: usize,
    /// Measured non-FCR episodes per signal (an episode may have several).
    pub non_fcr_signals: BTreeMap<String, usize>,
    pub survey: SurveyComparison,
    pub by_channel: BTreeMap<String, GroupMetrics>,
    pub by_team: BTreeMap<String, GroupMetrics>,
    pub by_agent: BTreeMap<String, GroupMetrics>,
    pub by_week: BTreeMap<String, GroupMetrics>,
    pub data_start: String,
    pub data_end: String,
    pub input: IngestStats,
    pub settings: Settings,
}

/// Survey-reported FCR beside CRM-derived FCR on the measured episodes that
/// have a survey answer.
#[derive(Debug, Default, Serialize)]
pub struct SurveyComparison {
    pub episodes_with_answer: usize,
    pub survey_fcr_rate: Option<f64>,
    /// FCR from CRM data alone (the survey signal ignored).
    pub crm_fcr_rate: Option<f64>,
    /// Share of those episodes where survey and CRM disagree.
    pub disagreement_rate: Option<f64>,
    pub survey_yes_crm_no: usize,
    pub survey_no_crm_yes: usize,
}

/// The headline figures for one channel, team, agent or week.
#[derive(Debug, Default, Serialize, Clone)]
pub struct GroupMetrics {
    pub episodes: usize,
    /// Episodes whose last contact's window has closed.
    pub closed_episodes: usize,
    /// Episodes whose FCR outcome is known (the `fcr_rate` denominator).
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub fcr_rate: Option<f64>,
    pub customer_contacts: usize,
    pub avg_contacts_per_resolved_issue: Option<f64>,
    pub customers: usize,
    pub repeat_customers: usize,
    pub repeat_customer_share: Option<f64>,
    pub closed_tickets: usize,
    pub closed_tickets_reopened: usize,
    pub one_time_resolution_rate: Option<f64>,
}

/// Counts that add up into [`GroupMetrics`].
#[derive(Default)]
struct Tally<'a> {
    episodes: usize,
    closed: usize,
    measured: usize,
    fcr: usize,
    inbound_closed: usize,
    customers: HashSet<&'a str>,
    repeat_customers: HashSet<&'a str>,
    closed_tickets: usize,
    reopened_tickets: usize,
}

/// Rounded so figures read well and compare exactly across runs.
pub fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| (num as f64 / den as f64 * 1e6).round() / 1e6)
}

impl Tally<'_> {
    fn finish(&self) -> GroupMetrics {
        GroupMetrics {
            episodes: self.episodes,
            closed_episodes: self.closed,
            measured_episodes: self.measured,
            fcr_episodes: self.fcr,
            fcr_rate: ratio(self.fcr, self.measured),
            customer_contacts: self.inbound_closed,
            avg_contacts_per_resolved_issue: ratio(self.inbound_closed, self.closed),
            customers: self.customers.len(),
            repeat_customers: self.repeat_customers.len(),
            repeat_customer_share: ratio(self.repeat_customers.len(), self.customers.len()),
            closed_tickets: self.closed_tickets,
            closed_tickets_reopened: self.reopened_tickets,
            one_time_resolution_rate: ratio(
                self.closed_tickets - self.reopened_tickets,
                self.closed_tickets,
            ),
        }
    }
}

fn key(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        s.to_string()
    }
}

/// Where the bulk of the export starts: the first percentile of contact
/// times, so that a stray old row does not make a week's export look like
/// years of data.
fn bulk_start(contacts: &[Contact]) -> i64 {
    let mut t: Vec<i64> = contacts.iter().map(|c| c.started_at).collect();
    if t.is_empty() {
        return 0;
    }
    let k = t.len() / 100;
    *t.select_nth_unstable(k).1
}

/// (FCR episodes, measured episodes): the headline's numerator and
/// denominator, as episodes.csv's `measured` and `fcr` columns give them.
pub fn fcr_counts(linked: &Linked) -> (usize, usize) {
    let measured = linked.episodes.iter().filter(|e| e.measured);
    measured.fold((0, 0), |(f, m), e| (f + usize::from(e.fcr), m + 1))
}

pub fn compute(
    contacts: &[Contact],
    linked: &Linked,
    input: &IngestStats,
    settings: &Settings,
    tz: Tz,
) -> Metrics {
    const DIMS: usize = 4;
    let mut overall = Tally::default();
    let mut groups: [HashMap<String, Tally>; DIMS] = Default::default();
    // An episode's week is its first contact's, as episodes.csv's
    // `first_started_at` gives it (an outbound call may come first).
    let dims = |c: &Contact, at: i64| -> [String; DIMS] {
        [
            key(&c.channel),
            key(&c.team),
            key(&c.agent_id),
            iso_week(at, tz),
        ]
    };
    let mut non_fcr_signals: BTreeMap<String, usize> = BTreeMap::new();
    let mut survey = SurveyComparison::default();
    let (mut survey_yes, mut crm_yes) = (0, 0);
    let mut window_open = 0;
    let mut window_open_non_fcr = 0;
    for e in &linked.episodes {
        let first = &contacts[e.first];
        let customer = first.customer_id.as_deref();
        // A closed issue is a customer's: an outbound-only episode would
        // put contacts per resolved issue below one.
        let closed = !e.window_open && e.n_inbound > 0;
        let measured = e.measured;
        let add = |t: &mut Tally<'_>| {
            t.episodes += 1;
            if closed {
                t.closed += 1;
                t.inbound_closed += e.n_inbound;
            }
            if measured {
                t.measured += 1;
                t.fcr += usize::from(e.fcr);
            }
        };
        add(&mut overall);
        let keys = dims(first, e.first_started_at);
        for (d, k) in keys.iter().enumerate() {
            add(groups[d].entry(k.clone()).or_default());
        }
        if let Some(cust) = customer {
            let repeat = e.n_inbound >= 2;
            overall.customers.insert(cust);
            if repeat {
                overall.repeat_customers.insert(cust);
            }
            for (d, k) in keys.into_iter().enumerate() {
                let t = groups[d].entry(k).or_default();
                t.customers.insert(cust);
                if repeat {
                    t.repeat_customers.insert(cust);
                }
            }
        }
        if e.window_open {
            window_open += 1;
            if !e.signals.is_empty() {
                window_open_non_fcr += 1;
            }
        }
        if !measured {
            continue;
        }
        for s in &e.signals {
            *non_fcr_signals.entry(s.as_str().to_string()).or_default() += 1;
        }
        if let Some(answer) = e.survey_resolved {
            survey.episodes_with_answer += 1;
            survey_yes += usize::from(answer);
            crm_yes += usize::from(e.crm_fcr);
            match (answer, e.crm_fcr) {
                (true, false) => survey.survey_yes_crm_no += 1,
                (false, true) => survey.survey_no_crm_yes += 1,
                _ => {}
            }
        }
    }
    survey.survey_fcr_rate = ratio(survey_yes, survey.episodes_with_answer);
    survey.crm_fcr_rate = ratio(crm_yes, survey.episodes_with_answer);
    survey.disagreement_rate = ratio(
        survey.survey_yes_crm_no + survey.survey_no_crm_yes,
        survey.episodes_with_answer,
    );

    // Tickets: grouped by their first contact; closed when the window after
    // their last contact has passed.
    struct Ticket {
        first: usize,
        last: i64,
        reopened: bool,
    }
    let mut tickets: HashMap<&str, Ticket> = HashMap::new();
    for (i, c) in contacts.iter().enumerate() {
        let Some(t) = c.ticket_id.as_deref() else {
            continue;
        };
        let e = tickets.entry(t).or_insert(Ticket {
            first: i,
            last: c.started_at,
            reopened: false,
        });
        let f = &contacts[e.first];
        if (c.started_at, &c.contact_id) < (f.started_at, &f.contact_id) {
            e.first = i;
        }
        e.last = e.last.max(c.started_at);
        e.reopened |= c.reopened;
    }
    let n_tickets = tickets.len();
    for t in tickets.values() {
        if linked.data_end - t.last < settings.repeat_window_secs {
            continue;
        }
        let add = |x: &mut Tally<'_>| {
            x.closed_tickets += 1;
            x.reopened_tickets += usize::from(t.reopened);
        };
        add(&mut overall);
        let f = &contacts[t.first];
        for (d, k) in dims(f, f.started_at).into_iter().enumerate() {
            add(groups[d].entry(k).or_default());
        }
    }

    let roles = |r: Role| linked.links.iter().filter(|l| l.role == r).count();
    let finish = |m: &HashMap<String, Tally>| -> BTreeMap<String, GroupMetrics> {
        m.iter().map(|(k, t)| (k.clone(), t.finish())).collect()
    };
    let o = overall.finish();
    let [by_channel, by_team, by_agent, by_week] = groups.each_ref().map(finish);
    let data_start = contacts.iter().map(|c| c.started_at).min().unwrap_or(0);
    // Signals that did not occur still appear, as zero, for dashboards.
    for s in &settings.fcr_signals {
        non_fcr_signals.entry(s.as_str().to_string()).or_default();
    }
    Metrics {
        schema_version: 1,
        period: settings.period.clone().unwrap_or_default(),
        fcr_rate: o.fcr_rate,
        episodes: linked.episodes.len(),
        closed_episodes: o.closed_episodes,
        measured_episodes: o.measured_episodes,
        fcr_episodes: o.fcr_episodes,
        fcr_uncertainty: interval::sampling(
            o.fcr_episodes,
            o.measured_episodes,
            bulk_start(contacts),
            linked.data_end,
            settings.repeat_window_secs,
        ),
        same_issue_calibration: None,
        window_open_episodes: window_open,
        window_open_non_fcr_episodes: window_open_non_fcr,
        contacts: contacts.len(),
        customer_contacts: roles(Role::First) + roles(Role::Repeat),
        repeat_contacts: roles(Role::Repeat),
        transfer_legs: roles(Role::TransferLeg),
        outbound_contacts: roles(Role::Outbound),
        courtesy_contacts: roles(Role::Courtesy),
        avg_contacts_per_resolved_issue: o.avg_contacts_per_resolved_issue,
        repeat_customer_share: o.repeat_customer_share,
        customers: o.customers,
        repeat_customers: o.repeat_customers,
        one_time_resolution_rate: o.one_time_resolution_rate,
        tickets: n_tickets,
        closed_tickets: o.closed_tickets,
        closed_tickets_reopened: o.closed_tickets_reopened,
        non_fcr_signals,
        survey,
        by_channel,
        by_team,
        by_agent,
        by_week,
        data_start: format_time(data_start, tz),
        data_end: format_time(linked.data_end, tz),
        input: input.clone(),
        settings: settings.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;
    use crate::test_support::{contact, run};

    fn metrics(cs: &[Contact]) -> Metrics {
        let s = Settings::default();
        let l = run(cs, &s);
        compute(cs, &l, &IngestStats::default(), &s, chrono_tz::UTC)
    }

    #[test]
    fn twenty_three_contacts_for_twenty_issues() {
        // 20 customers with one issue each; 3 of them came back once.
        let mut cs = Vec::new();
        for u in 0..20 {
            let cust = format!("U{u}");
            cs.push(contact(
                &format!("c{u}"),
                &cust,
                f64::from(u),
                "Customer: my card has not arrived",
            ));
            if u < 3 {
                cs.push(contact(
                    &format!("r{u}"),
                    &cust,
                    f64::from(u) + 24.0,
                    "Customer: my card has still not arrived",
                ));
            }
        }
        let m = metrics(&cs);
        assert_eq!(m.closed_episodes, 20);
        assert_eq!(m.customer_contacts, 23);
        assert_eq!(m.avg_contacts_per_resolved_issue, Some(1.15));
        assert_eq!(m.fcr_rate, Some(0.85));
        assert_eq!(m.repeat_customer_share, Some(0.15));
        assert_eq!(m.repeat_contacts, 3);
    }

    #[test]
    fn outbound_and_transfer_legs_are_not_effort() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: refund"),
            contact("b", "U1", 0.05, "Customer: refund, transferred here"),
            contact("c", "U1", 30.0, "Agent: following up on your refund"),
        ];
        cs[0].transferred = true;
        cs[2].direction = Direction::Outbound;
        let m = metrics(&cs);
        assert_eq!(m.customer_contacts, 1);
        assert_eq!(m.transfer_legs, 1);
        assert_eq!(m.outbound_contacts, 1);
        assert_eq!(m.avg_contacts_per_resolved_issue, Some(1.0));
        assert_eq!(m.fcr_rate, Some(0.0), "transferred breaks FCR");
        assert_eq!(m.non_fcr_signals["transferred"], 1);
        assert_eq!(m.non_fcr_signals["repeat_contact"], 0);
    }

    #[test]
    fn one_time_resolution_and_groups() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: refund"),
            contact("b", "U2", 1.0, "Customer: card"),
            contact("c", "U3", 2.0, "Customer: pin"),
            contact("d", "U4", 3.0, "Customer: fee"),
        ];
        for (i, c) in cs.iter_mut().enumerate() {
            c.ticket_id = Some(format!("T{i}").into());
        }
        cs[1].reopened = true;
        cs[2].channel = "chat".into();
        cs[3].channel = "chat".into();
        let m = metrics(&cs);
        assert_eq!(m.closed_tickets, 4);
        assert_eq!(m.one_time_resolution_rate, Some(0.75));
        assert_eq!(m.by_channel["phone"].one_time_resolution_rate, Some(0.5));
        assert_eq!(m.by_channel["chat"].one_time_resolution_rate, Some(1.0));
        assert_eq!(m.by_channel["phone"].fcr_rate, Some(0.5));
        assert_eq!(m.by_channel["chat"].fcr_rate, Some(1.0));
        assert_eq!(m.by_team["cards"].episodes, 4);
        assert_eq!(m.by_week.len(), 1);
    }

    #[test]
    fn survey_next_to_crm() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: refund"),
            contact("b", "U2", 1.0, "Customer: card"),
            contact("c", "U3", 2.0, "Customer: pin"),
            contact("d", "U4", 3.0, "Customer: fee"),
        ];
        cs[0].survey_resolved = Some(true); // agree: resolved
        cs[1].survey_resolved = Some(false); // disagree: CRM says resolved
        cs[2].survey_resolved = Some(true);
        cs[2].escalated = true; // disagree: CRM says not resolved
        let m = metrics(&cs);
        assert_eq!(m.survey.episodes_with_answer, 3);
        assert_eq!(m.survey.survey_fcr_rate, Some(0.666667));
        assert_eq!(m.survey.crm_fcr_rate, Some(0.666667));
        assert_eq!(m.survey.disagreement_rate, Some(0.666667));
        assert_eq!(m.survey.survey_no_crm_yes, 1);
        assert_eq!(m.survey.survey_yes_crm_no, 1);
    }

    #[test]
    fn window_open_counted_apart() {
        let cs = vec![contact("a", "U1", 0.0, "Customer: refund")];
        let s = Settings::default();
        let l = crate::episodes::link(
            &cs,
            &s,
            &crate::episodes::LexicalScorer::new(&cs, 0.15),
            &crate::text::Boilerplate::default(),
        );
        let m = compute(&cs, &l, &IngestStats::default(), &s, chrono_tz::UTC);
        assert_eq!(m.window_open_episodes, 1);
        assert_eq!(m.closed_episodes, 0);
        assert_eq!(m.measured_episodes, 0);
        assert_eq!(m.fcr_rate, None);
    }

    #[test]
    fn iso_weeks() {
        // 2026-10-05 is a Monday in ISO week 41.
        let t = chrono::DateTime::parse_from_rfc3339("2026-10-05T00:30:00+00:00")
            .unwrap()
            .timestamp();
        assert_eq!(iso_week(t, chrono_tz::UTC), "2026-W41");
        // In Los Angeles it is still Sunday of week 40.
        assert_eq!(iso_week(t, chrono_tz::America::Los_Angeles), "2026-W40");
    }
}
