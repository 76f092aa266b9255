import type { Routes } from '@angular/router';

export const routes: Routes = [
  { path: '', title: 'Live alerts · Content-safety monitor', loadComponent: () => import('./feed/feed-page.component').then((m) => m.FeedPageComponent) },
  { path: 'admin', title: 'Connections · Content-safety monitor', loadComponent: () => import('./admin/admin-page.component').then((m) => m.AdminPageComponent) },
  { path: '**', redirectTo: '' },
];
