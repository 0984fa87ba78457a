"""`make bench`: every benchmark, one table."""

from __future__ import annotations

from bench import plan_import_eval, plan_import_speed


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
    print(f"{'measure':40} {'result':>16}  goal")
    for name, value, goal in rows:
        print(f"{name:40} {value:>16}  {goal}")


if __name__ == "__main__":
    main()
