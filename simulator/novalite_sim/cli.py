"""novalite-sim: run scenarios, compare runs, drive the real services.

    novalite-sim run simulator/scenarios/azure-day.yaml --params 10k_hosts --seed 7 --out results/
    novalite-sim compare results/a results/b --plot ab.png
    novalite-sim validate simulator/scenarios/*.yaml
    novalite-sim stack --hosts 1000 --rate 10 --boots 500 --out results/stack
"""

import argparse
import logging
import pathlib
import sys
import warnings

import yaml

# oslo.service's eventlet backend announces its deprecation on import; it is not used here.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

PROG = 'novalite-sim'


def _fail(message, code=1):
    print('%s: error: %s' % (PROG, message), file=sys.stderr)
    return code


def _param_value(text):
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError('expected KEY=VALUE, got %r' % text)
    # YAML's reading of a scalar, as if it were written in the scenario.
    return key, yaml.safe_load(value)


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=(
        "Replay workloads through novalite's scheduler on a virtual clock, or drive the "
        'real services with many fake computes.'))
    sub = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')

    run = sub.add_parser('run', help='run a scenario and write its report')
    run.add_argument('scenario', help='scenario YAML file')
    run.add_argument('--params', metavar='NAME',
                     help="params set to apply (default: the one labelled 'ci', else the first)")
    run.add_argument('--set', metavar='KEY=VALUE', action='append', type=_param_value,
                     default=[], help='override one parameter of the params set (repeatable)')
    run.add_argument('--seed', type=int, help="random seed (default: the scenario's)")
    run.add_argument('--out', default='results', help='output folder (default: results/)')
    run.add_argument('--no-plots', dest='plots', action='store_false',
                     help='skip the PNG plots')
    run.add_argument('--progress', choices=('auto', 'on', 'off'), default='auto',
                     help='progress bar on stderr (auto: when it is a terminal)')
    run.add_argument('-q', '--quiet', action='store_true', help='no summary on stdout')

    compare = sub.add_parser('compare', help='print runs side by side (A/B studies)')
    compare.add_argument('runs', nargs='+', help='report.json files or run output folders')
    compare.add_argument('--plot', metavar='PNG', help='also plot the timelines together')
    compare.add_argument('--markdown', action='store_true', help='a Markdown table')

    validate = sub.add_parser('validate', help='check scenario files (every params set)')
    validate.add_argument('scenarios', nargs='+')

    stack = sub.add_parser('stack', help='drive the real services with many fake computes')
    from novalite_sim.stack import run as stack_run
    stack_run.add_arguments(stack)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')
    try:
        if args.command == 'run':
            return cmd_run(args)
        if args.command == 'compare':
            return cmd_compare(args)
        if args.command == 'validate':
            return cmd_validate(args)
        from novalite_sim.stack import run as stack_run
        return stack_run.run(args)
    except KeyboardInterrupt:
        return _fail('interrupted', 130)


def cmd_run(args):
    from novalite import exception
    from novalite_sim import scenario as scenario_mod

    try:
        scenario = scenario_mod.load(args.scenario, args.params, dict(args.set))
    except scenario_mod.ScenarioError as exc:
        return _fail(str(exc))
    try:
        return _run(args, scenario)
    except exception.NovaliteException as exc:
        # A misnamed filter or weigher, a bad option: the loader's message names it.
        return _fail('%s: %s' % (scenario.path.name, exc))
    except (ValueError, FileNotFoundError) as exc:
        return _fail('%s: %s' % (scenario.path.name, exc))


def _run(args, scenario):
    import numpy as np

    from novalite_sim import progress as progress_mod
    from novalite_sim import report as report_mod
    from novalite_sim import simulation

    enabled = {'on': True, 'off': False, 'auto': None}[args.progress]
    total = scenario.duration_s or _estimate_duration(scenario)
    bar = progress_mod.Progress(total, enabled=enabled, force=enabled is True,
                                label=scenario.name)
    sim = simulation.Simulation(scenario, seed=args.seed, progress=bar)
    try:
        report, speed = sim.run()
    finally:
        bar.close()
    results, speed_results = report_mod.check_thresholds(scenario.thresholds, report, speed)
    report['thresholds'] = results
    speed['thresholds'] = speed_results
    paths = report_mod.write(args.out, report, speed, sim.metrics.timeline)
    if args.plots:
        from novalite_sim import plots
        latencies = np.frombuffer(sim.metrics.latencies_us, dtype=np.float64)
        plots.write_run_plots(args.out, paths['timeline'], latencies_us=latencies,
                              title='%s [%s]' % (scenario.name, scenario.params_set or '-'))
    if not args.quiet:
        print(report_mod.summary(report, speed))
        print('written to %s' % pathlib.Path(args.out))
    failed = [r for r in results + speed_results if not r['passed']]
    for result in failed:
        print('%s: threshold failed: %s %s %g (actual %s)' % (
            PROG, result['metric'], result['op'], result['value'], result['actual']),
            file=sys.stderr)
    return 1 if failed else 0


def _estimate_duration(scenario):
    """Simulated seconds the ops span, for the progress bar (workloads are not read twice)."""
    return sum(op.get('seconds', 0) for op in scenario.ops if op['op'] == 'advance') or None


def cmd_compare(args):
    from novalite_sim import compare

    runs = []
    for path in args.runs:
        try:
            runs.append(compare.load_run(path))
        except (OSError, ValueError) as exc:
            return _fail('%s: %s' % (path, exc))
    print(compare.compare_table(runs, fmt='markdown' if args.markdown else 'text'))
    if args.plot:
        from novalite_sim import plots
        labelled = [(compare.run_label(run, runs), compare.run_dir(run)) for run in runs]
        plots.plot_compare(labelled, args.plot)
        print('plot written to %s' % args.plot)
    return 0


def cmd_validate(args):
    from novalite_sim import scenario as scenario_mod

    bad = 0
    for path in args.scenarios:
        try:
            sets = scenario_mod.params_sets(path) or {None: []}
            for name in sets:
                scenario_mod.load(path, name)
            print('%s: ok (%s)' % (path, ', '.join(
                '%s [%s]' % (n, ','.join(labels)) for n, labels in sets.items() if n)
                or 'no params sets'))
        except (scenario_mod.ScenarioError, OSError, yaml.YAMLError) as exc:
            _fail(str(exc))
            bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
