/** chart.js, with only the pieces the console draws (bar and line charts) registered: a smaller bundle. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
// Staff look at these, they do not wait for them: no animation (and screenshots show the final chart).
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, "PingFang SC", "Microsoft YaHei", sans-serif';
