import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { type ChartFrame, type ChartPoint, linePath, yAxisMax } from './chart-scale';

const WIDTH = 600;
const HEIGHT = 140;

/** A line chart of one time series over a sliding window, as plain SVG. */
@Component({
  selector: 'app-time-series-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="chart">
      <figcaption>
        <span class="label">{{ label() }}</span>
        <span class="latest" data-testid="chart-latest">{{ latestText() }}</span>
      </figcaption>
      <svg [attr.viewBox]="viewBox" preserveAspectRatio="none" role="img" [attr.aria-label]="ariaLabel()">
        <line class="grid" x1="0" [attr.x2]="width" y1="0.5" y2="0.5" />
        <line class="grid" x1="0" [attr.x2]="width" [attr.y1]="height / 2" [attr.y2]="height / 2" />
        <line class="axis" x1="0" [attr.x2]="width" [attr.y1]="height - 0.5" [attr.y2]="height - 0.5" />
        <path class="line" [attr.d]="path()" vector-effect="non-scaling-stroke" />
      </svg>
      <div class="scale">
        <span>{{ windowMinutes() }} min ago</span>
        <span>max {{ yMax() }} {{ unit() }}</span>
        <span>now</span>
      </div>
    </figure>
  `,
  styles: `
    .chart { margin: 0; padding: 0.75rem; background: var(--surface); border-radius: 6px; }
    figcaption { display: flex; justify-content: space-between; margin-bottom: 0.5rem; font-weight: 600; }
    .latest { font-variant-numeric: tabular-nums; }
    svg { display: block; width: 100%; height: 140px; }
    .grid { stroke: var(--track); stroke-width: 1; vector-effect: non-scaling-stroke; }
    .axis { stroke: var(--muted); stroke-width: 1; vector-effect: non-scaling-stroke; }
    .line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; }
    .scale { display: flex; justify-content: space-between; font-size: 0.75rem; color: var(--text-muted); }
  `,
})
export class TimeSeriesChartComponent {
  readonly label = input.required<string>();
  readonly unit = input.required<string>();
  readonly points = input.required<readonly ChartPoint[]>();
  /** The right edge of the window (epoch ms). */
  readonly now = input.required<number>();
  readonly windowMs = input.required<number>();
  /** How the latest value reads, e.g. "12 ms". */
  readonly latestText = input<string>('–');

  protected readonly width = WIDTH;
  protected readonly height = HEIGHT;
  protected readonly viewBox = `0 0 ${WIDTH} ${HEIGHT}`;
  private readonly frame = computed<ChartFrame>(() => ({ width: WIDTH, height: HEIGHT, from: this.now() - this.windowMs(), to: this.now() }));
  protected readonly yMax = computed(() => yAxisMax(this.points(), this.frame()));
  protected readonly path = computed(() => linePath(this.points(), this.frame(), this.yMax()));
  protected readonly windowMinutes = computed(() => Math.round(this.windowMs() / 60_000));
  protected readonly ariaLabel = computed(() => `${this.label()} over the last ${this.windowMinutes()} minutes, latest ${this.latestText()}`);
}
