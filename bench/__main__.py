"""`make bench`: every benchmark, one table."""

from __future__ import annotations

from bench import (
    category_cv,
    dingtalk_roundtrip,
    gateway_roundtrip,
    outbox_speed,
    pipeline_memory,
    plan_import_eval,
    plan_import_speed,
    signup_storm,
    web_pages,
)
from schedules.category_model import RULE_WEIGHT


def main() -> None:
    report = plan_import_eval.evaluate(plan_import_eval.DEFAULT_SEEDS)
    speed = plan_import_speed.run()
    o = report["overall"]
    rows = [
        ("plan importer F1 on seed gold", f"{o['f1']:.3f}", ">= 0.95"),
        ("  precision / recall", f"{o['precision']:.3f} / {o['recall']:.3f}", ""),
        ("  category / holiday accuracy", f"{o['category_accuracy']:.3f} / {o['holiday_accuracy']:.3f}", ""),
        ("import all seed plans", f"{speed['seconds']:.3f} s", "< 0.5 s"),
    ]
    cv = category_cv.cross_validate(category_cv.labelled_everywhere(category_cv.DEFAULT_SEEDS))["overall"]
    rows.append(("category, each labelled set held out from the model: rules / as shipped",
                 f"{cv['rules']:.3f} / {cv[f'w{RULE_WEIGHT}']:.3f}", "rules not held out"))
    unseen = plan_import_eval.evaluate_unseen()
    rows.append(("item F1 on hand-written plans (dev / test)",
                 f"{unseen['dev']['f1']:.3f} / {unseen['test']['f1']:.3f}", "first runs: bench/unseen/README.md"))
    out = outbox_speed.run()
    rows += [
        (f"plan + queue digests for {out['groups']} groups", f"{out['plan_seconds']:.3f} s", "< 1 s"),
        ("outbox sender, pacing off", f"{out['drain_per_second']} posts/s", ""),
        (f"  {out['groups']}-group fan-out, default pacing", f"{out['paced_minutes']} min", "<= 20/min"),
    ]
    for db, r in signup_storm.run().items():
        rows.append((f"1,000 sign-ups / 100 places ({db})", f"{r['seconds']:.3f} s",
                     "< 2 s" if db == "postgresql" else ""))
    rt = gateway_roundtrip.run()
    if "skipped" in rt:
        rows.append(("gateway round trips", "skipped", rt["skipped"]))
    else:
        rows += [
            ("echo bot round trip p50", f"{rt['echo_ms']:.2f} ms", ""),
            ("#本月活动 round trip p50 (ratio)", f"{rt['read_ms']:.2f} ms ({rt['read_ratio']}x)", "<= 1.3x"),
            ("#报名 round trip p50 (ratio)", f"{rt['write_ms']:.2f} ms ({rt['write_ratio']}x)", "<= 1.5x"),
        ]
    dt = dingtalk_roundtrip.run()
    rows += [
        ("DingTalk: SDK-only echo robot round trip p50", f"{dt['echo_ms']:.2f} ms", "fake DingTalk, Stream"),
        ("DingTalk: #本月活动 round trip p50 (ratio)", f"{dt['read_ms']:.2f} ms ({dt['read_ratio']}x)", ""),
        ("DingTalk: #报名 round trip p50 (ratio)", f"{dt['write_ms']:.2f} ms ({dt['write_ratio']}x)", ""),
    ]
    for db, pages in web_pages.run().items():
        for name, label in web_pages.LABELS.items():
            t = pages[name]
            rows.append((f"web {label} ({db}) p50 / p95", f"{t['p50']:.1f} / {t['p95']:.1f} ms", "p95 < 100 ms"))
    mem = pipeline_memory.run()
    rows += [
        ("pipeline throughput, no network, one core", f"{mem['per_second']} msg/s", ""),
        ("idle RSS of `unionbot run` after start-up", f"{mem['idle_bot_rss_mb']} MB", "< 150 MB"),
        (f"RSS before / after {mem['messages']:,} messages", f"{mem['rss_before_mb']} / {mem['rss_after_mb']} MB",
         "growth <= 10%"),
    ]
    print(f"{'measure':44} {'result':>22}  goal")
    for name, value, goal in rows:
        print(f"{name:44} {value:>22}  {goal}")


if __name__ == "__main__":
    main()
