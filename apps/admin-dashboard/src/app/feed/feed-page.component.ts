import { DatePipe, DecimalPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { WebSocketStore } from '@heartbeat/angular';
import { SignInComponent } from '../shared/sign-in.component';
import { AlertAcknowledgements } from './alert-acknowledgements.service';
import { AlertFeed } from './alert-feed.service';
import { FEED_LIMIT } from './feed-items';
import { OnlinePanelComponent } from './online-panel.component';
import { OperatorsOnline } from './operators-online.service';

/** `/`: the live feed of moderation alerts, newest first, and the operators online. */
@Component({
  selector: 'app-feed-page',
  imports: [DatePipe, DecimalPipe, PercentPipe, SignInComponent, OnlinePanelComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './feed-page.component.html',
  styleUrl: './feed-page.component.css',
})
export class FeedPageComponent {
  protected readonly feed = inject(AlertFeed);
  protected readonly acks = inject(AlertAcknowledgements);
  protected readonly online = inject(OperatorsOnline);
  protected readonly store = inject(WebSocketStore);
  protected readonly limit = FEED_LIMIT;
}
